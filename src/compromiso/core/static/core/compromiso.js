// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
// A form that failed validation opens on its error summary, so a keyboard or screen reader user
// hears what went wrong and can follow its links to each field.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

// Charts: figures rendered on the server as SVG bars (and a data table) become interactive
// ECharts when the library is on the page. The table stays for screen readers and copying.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach((figure) => {
    const source = document.getElementById(figure.dataset.chart);
    const fallback = figure.querySelector("svg[data-fallback]");
    if (!source || !fallback) return;
    const rows = JSON.parse(source.textContent);
    const box = document.createElement("div");
    box.className = "chart-canvas";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", fallback.getAttribute("aria-label"));
    box.style.height = `${Math.max(120, rows.length * 28 + 40)}px`;
    fallback.replaceWith(box);
    const chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map((row) => row.label),
        axisLabel: { width: 220, overflow: "truncate" },
      },
      series: [{
        type: "bar",
        data: rows.map((row) => row.value),
        itemStyle: { color: "#2f5d8a" },
        barMaxWidth: 22,
        label: { show: true, position: "right" },
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
