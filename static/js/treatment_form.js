// Shows only the treatment form's fields that the chosen type uses (each wrapper names its
// types in data-for). Without JavaScript every field stays visible and the server decides.
(function () {
  "use strict";
  var form = document.querySelector("[data-treatment-form]");
  if (!form) return;
  var type = form.querySelector("select[name=type]");
  function update() {
    form.querySelectorAll("[data-for]").forEach(function (wrapper) {
      var used = wrapper.dataset.for.split(" ").indexOf(type.value) !== -1;
      var filled = Array.prototype.some.call(wrapper.querySelectorAll("input"), function (input) {
        return input.value !== "";
      });
      wrapper.hidden = !used && !filled;
    });
  }
  type.addEventListener("change", update);
  update();
})();
