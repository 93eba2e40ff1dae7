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

