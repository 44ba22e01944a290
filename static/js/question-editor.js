// The screening-question editor: add, remove, reorder, and show only the fields a kind and rule use.
// Progressive: without it the formset's blank forms, order numbers and remove boxes do the same job.
(function () {
  "use strict";
  var list = document.querySelector("[data-question-list]");
  if (!list) return;
  var prefix = list.getAttribute("data-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var maxForms = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var template = document.getElementById("question-template");
  var addButton = document.querySelector("[data-add-question]");
  // Which rules go with which kind, and which fields they use, come from vacancies/rules.py (json_script):
  // the page and the server judge a question by the same table.
  var rulesElement = document.getElementById("question-rules");
  var spec = rulesElement ? JSON.parse(rulesElement.textContent) : {};
  var rulesByKind = spec.rules_by_kind || {};
  var choiceKinds = spec.choice_kinds || [];
  var valueRules = spec.value_rules || [];
  var optionsRules = spec.options_rules || [];
  var valueHints = spec.value_hints || {};
  var reviewRules = spec.review_rules || [];
  var reviewHints = spec.review_hints || {};
  var unitKinds = spec.unit_kinds || [];
  var aliasKinds = spec.alias_kinds || [];

  function forms() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-question-form]"));
  }

  function input(form, name) {
    return form.querySelector("[name$='-" + name + "']");
  }

  function show(form, name, visible) {
    var wrapper = form.querySelector("[data-field='" + name + "']");
    var control = input(form, name);
    if (!wrapper || !control) return;
    wrapper.hidden = !visible;
    // A hidden field is not sent, so a leftover value cannot fail validation unseen.
    control.disabled = !visible;
  }

  function sync(form) {
    var kind = input(form, "kind");
    var knockout = input(form, "knockout");
    if (!kind || !knockout) return;
    var allowed = rulesByKind[kind.value] || [""];
    Array.prototype.forEach.call(knockout.options, function (option) {
      var ok = allowed.indexOf(option.value) >= 0;
      option.hidden = !ok;
      option.disabled = !ok;
    });
    if (allowed.indexOf(knockout.value) < 0) knockout.value = "";
    show(form, "options", choiceKinds.indexOf(kind.value) >= 0);
    show(form, "allowed_options", optionsRules.indexOf(knockout.value) >= 0);
    show(form, "knockout_value", valueRules.indexOf(knockout.value) >= 0);
    // The review band is the rule's other edge; the unit and the aliases belong to the kind.
    show(form, "review_value", reviewRules.indexOf(knockout.value) >= 0);
    show(form, "unit", unitKinds.indexOf(kind.value) >= 0);
    show(form, "aliases", aliasKinds.indexOf(kind.value) >= 0);
    var value = input(form, "knockout_value");
    if (value) {
      value.placeholder = valueHints[knockout.value] || "";
    }
    var review = input(form, "review_value");
    if (review) {
      review.placeholder = reviewHints[knockout.value] || "";
    }
    var remove = input(form, "DELETE");
    form.classList.toggle("is-deleted", !!(remove && remove.checked));
  }

  function renumber() {
    var all = forms();
    all.forEach(function (form, index) {
      var order = input(form, "ORDER");
      if (order) order.value = index + 1;
      var number = form.querySelector("[data-question-number]");
      if (number) number.textContent = index + 1;
      var up = form.querySelector("[data-move='up']");
      var down = form.querySelector("[data-move='down']");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === all.length - 1;
    });
  }

  function setup(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-move]"), function (button) {
      button.hidden = false;
    });
    // The buttons keep the order numbers; the boxes would only confuse.
    var order = form.querySelector("[data-field='ORDER']");
    if (order) order.hidden = true;
    sync(form);
  }

  list.addEventListener("change", function (event) {
    var form = event.target.closest("[data-question-form]");
    if (form) sync(form);
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) return;
    var form = button.closest("[data-question-form]");
    if (button.getAttribute("data-move") === "up" && form.previousElementSibling) {
      list.insertBefore(form, form.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && form.nextElementSibling) {
      list.insertBefore(form.nextElementSibling, form);
    }
    renumber();
    if (!button.disabled) button.focus();
  });

  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maxForms && index >= parseInt(maxForms.value, 10)) return;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
      var form = holder.firstElementChild;
      list.appendChild(form);
      total.value = index + 1;
      setup(form);
      renumber();
      var text = input(form, "text");
      if (text) text.focus();
    });
  }

  forms().forEach(setup);
  renumber();
})();
