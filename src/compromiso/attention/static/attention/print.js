// Buttons marked data-print print the page (its print style keeps only the ticket). They stay
// hidden without JavaScript, where the browser's own print command does the same.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
