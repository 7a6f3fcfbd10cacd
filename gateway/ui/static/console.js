// The console's own script: live SMS counts in the composer, live regions that poll, and the
// from-number picker narrowed to the numbers that can text the chosen phone. No framework.
"use strict";

// --- segments: a port of telecom/segments.py (tests compare the two on tricky strings) ---
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
const GSM_EXTENSION = new Set("\f^{}\\[~]|€");

function pack(costs, single, multi) {
  // segments for characters of these unit costs, none split across two
  if (costs.reduce((a, b) => a + b, 0) <= single) return 1;
  let segments = 1, used = 0;
  for (const cost of costs) {
    if (used + cost > multi) { segments += 1; used = 0; }
    used += cost;
  }
  return segments;
}

function smslabSegments(text) {
  // {chars, encoding, segments, units}: chars are code points, as Python's len() counts them
  const chars = Array.from(text);  // iterates code points: a surrogate pair is one character
  const gsm = chars.map(c => GSM_BASIC.has(c) ? 1 : GSM_EXTENSION.has(c) ? 2 : null);
  if (gsm.every(c => c !== null)) {
    return {chars: chars.length, encoding: "GSM-7", segments: pack(gsm, 160, 153),
            units: gsm.reduce((a, b) => a + b, 0)};
  }
  const costs = chars.map(c => c.codePointAt(0) > 0xFFFF ? 2 : 1);
  return {chars: chars.length, encoding: "UCS-2", segments: pack(costs, 70, 67),
          units: costs.reduce((a, b) => a + b, 0)};
}
window.smslabSegments = smslabSegments;

function setCount(root, attr, value) {
  const el = root.querySelector("[" + attr + "]");
  if (el) { el.setAttribute(attr, String(value)); el.textContent = String(value); }
}

function composer(form) {
  const text = form.querySelector("textarea[name=text]");
  const update = () => {
    const counted = smslabSegments(text.value);
    setCount(form, "data-chars", counted.chars);
    setCount(form, "data-segments", counted.segments);
    setCount(form, "data-encoding", counted.encoding);
    form.querySelector("[data-chars]").classList.toggle("over", counted.chars > 1000);
  };
  text.addEventListener("input", update);
  update();

  const to = form.querySelector("[data-to]"), from = form.querySelector("[data-from]");
  const noSender = form.querySelector("[data-no-sender]");
  const narrow = () => {
    const country = to.selectedOptions[0] ? to.selectedOptions[0].dataset.country : "";
    let firstOk = null;
    for (const option of from.options) {
      const ok = option.dataset.countries.split(" ").includes(country);
      option.hidden = option.disabled = !ok;
      if (ok && firstOk === null) firstOk = option;
    }
    if (from.selectedOptions[0] && from.selectedOptions[0].disabled && firstOk) {
      firstOk.selected = true;
    }
    noSender.hidden = firstOk !== null;
  };
  if (to && from) { to.addEventListener("change", narrow); narrow(); }

  const tz = form.querySelector("[data-tz-offset]");
  if (tz) tz.value = String(-new Date().getTimezoneOffset() / 60);
  // choosing a delay or a time selects its option, so typing in the box is enough
  for (const input of form.querySelectorAll("input[name=send_in], input[name=date_scheduled]")) {
    input.addEventListener("input", () => {
      const radio = input.closest("label").querySelector("input[type=radio]");
      if (radio) radio.checked = true;
    });
  }
}

// --- live regions: poll a small JSON endpoint, swap the HTML when its version moves ---
function live(region) {
  let version = "", delay = Number(region.dataset.interval || 1500);
  const tick = async () => {
    try {
      const answer = await fetch(region.dataset.live, {credentials: "same-origin",
                                                       headers: {"Accept": "application/json"}});
      if (answer.status === 401) { window.location.assign("/ui/login"); return; }
      if (answer.ok) {
        const body = await answer.json();
        // the first answer is swapped in too: the page may have moved since it was rendered;
        // never under the keyboard's focus (a button being pressed)
        if (body.version !== version && !region.contains(document.activeElement)) {
          region.innerHTML = body.html;  // server-rendered, escaped by the template
          version = body.version;
          region.dispatchEvent(new CustomEvent("smslab:updated"));
        }
      }
    } catch (e) { /* the gateway restarting: try again on the next tick */ }
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("#composer")) composer(form);
  for (const region of document.querySelectorAll("[data-live]")) live(region);
});
