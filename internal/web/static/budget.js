// The running total of a basket ballot (a participatory budget's knapsack
// vote). The ballot works without this: the page states the most a basket
// may cost and the server checks every ballot. This only says, as the
// voter ticks projects, what the basket costs so far.
const form = document.querySelector("form[data-basket]");
const out = form && form.querySelector("#basket-total");
if (form && out) {
  const max = Number(form.dataset.basket);
  const boxes = [...form.querySelectorAll("input[name=project][data-cost]")];
  const lang = document.documentElement.lang === "nl" ? "nl-NL" : "en-GB";
  const euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", minimumFractionDigits: 0, maximumFractionDigits: 0 });
  const update = () => {
    const total = boxes.filter((b) => b.checked).reduce((sum, b) => sum + Number(b.dataset.cost), 0);
    const over = total > max;
    const text = over ? out.dataset.over : out.dataset.template;
    out.textContent = text.replace("{total}", euros.format(total / 100)).replace("{max}", euros.format(max / 100));
    out.classList.toggle("over", over);
  };
  for (const b of boxes) b.addEventListener("change", update);
  out.hidden = false;
  update();
}
