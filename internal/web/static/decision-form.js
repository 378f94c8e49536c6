// The form of a decision shows every method's settings without JavaScript,
// each hint saying which method uses it. This hides the settings the chosen
// method does not use (and the options for a vote on the proposal itself,
// the times of a meeting poll's slots for the other methods). Nothing is
// lost: hidden fields keep what was typed, the server ignores what the
// method does not use, and a field with a problem is never hidden.
const form = document.querySelector("form.decision-form");
if (form) {
  const radios = [...form.querySelectorAll("input[name=method]")];
  const parts = [...form.querySelectorAll("[data-methods]")];
  const update = () => {
    const chosen = radios.find((r) => r.checked);
    if (!chosen) return;
    for (const part of parts) {
      const troubled = part.classList.contains("field-error") || part.querySelector(".field-error");
      part.hidden = !troubled && !part.dataset.methods.split(" ").includes(chosen.value);
    }
  };
  for (const r of radios) r.addEventListener("change", update);
  update();
}
