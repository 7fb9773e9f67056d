// Behaviour shared by every page. A static file, never inline: the Content-Security-Policy allows
// scripts from our own origin only (no inline script, no inline event handler).
document.addEventListener("change", (event) => {
  const control = event.target;
  if (control instanceof HTMLSelectElement && control.dataset.submitOnChange !== undefined) {
    control.form.requestSubmit();
  }
});
