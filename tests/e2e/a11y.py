"""Accessibility checks run in the browser on a loaded page.

`axe_violations` runs axe-core (bundled in the PyPI package axe-playwright-python, MPL-2.0
axe-core inside an MIT wrapper; nothing is fetched at run time) limited to the WCAG 2.1 A/AA
rules. The other checks are what axe cannot see: horizontal scrolling at a width (reflow,
WCAG 1.4.10, and 200 % zoom, 1.4.4), every control reachable with Tab and showing a visible
focus indicator (2.1.1, 2.4.7), tap targets, and what a screen reader announces for progress
bars (1.1.1, 4.1.2), read from Chromium's own accessibility tree.
"""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_TAP_PX = 44  # CSS pixels: WCAG 2.5.5 and the Apple/Android guidelines

_axe = Axe()

# Everything a keyboard user must be able to reach; radios count once per group (Tab enters a
# group, the arrow keys move within it).
_MARK_CONTROLS = r"""() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const keys = [];
  for (const el of document.querySelectorAll(selector)) {
    // checkVisibility: not display:none, not visibility:hidden, not inside a closed <details>
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const label = el.type === 'radio' ? 'radio ' + el.name : el.tagName.toLowerCase() + ' "'
      + (el.textContent.replace(/\s+/g, ' ').trim().slice(0, 30) || el.name || el.id) + '"';
    const known = keys.find((k) => k[1] === label && el.type === 'radio');
    el.dataset.e2eKey = known ? known[0] : 'k' + keys.length;
    if (!known) keys.push([el.dataset.e2eKey, label]);
  }
  return keys;
}"""

# What shows focus for an element: its own outline or box shadow, or (for a visually hidden
# radio) that of the face drawn next to it or of its label.
_INDICATOR = """(el) => {
  const drawn = [el, el.nextElementSibling, el.closest('label')].filter(Boolean);
  return drawn.map((e) => {
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
      ? s.outlineWidth + ' ' + s.outlineStyle + ' ' + s.outlineColor : '';
    return outline + '|' + (s.boxShadow === 'none' ? '' : s.boxShadow);
  }).join(' ; ');
}"""

# Is the focused control, as drawn, covered by something else (a sticky bar)? The middle of its
# part inside the viewport is tested; a radio is drawn by its label.
_OBSCURED = """(el) => {
  const drawn = el.type === 'radio' && el.closest('label') ? el.closest('label') : el;
  const r = drawn.getBoundingClientRect();  /* a tall textarea may stick out of the viewport */
  const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
  const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
  if (bottom <= top || right <= left) return true;  /* focused, wholly out of sight */
  const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  return !(hit && (drawn.contains(hit) || hit.contains(drawn)));
}"""

_FOCUSED = ("() => { const el = document.activeElement;"
            " if (!el || el === document.body) return [null, '', false];"
            f" return [el.dataset.e2eKey || el.tagName, ({_INDICATOR})(el), ({_OBSCURED})(el)];"
            " }")


def axe_violations(page: Page, exclude: list[str] | None = None) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page, one readable line each."""
    context = {"exclude": [[s] for s in exclude]} if exclude else None
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = _axe.run(page, context=context, options=options)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            for v in results.response["violations"]]


def horizontal_overflow(page: Page) -> list[str]:
    """What sticks out sideways: the page's scroll width past the viewport, and the visible
    controls and text blocks not wholly inside it."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth, found = [];
      if (document.documentElement.scrollWidth > width)
        found.push('page scrolls sideways: ' + document.documentElement.scrollWidth
                   + ' > ' + width);
      const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label,'
        + ' h1, h2, h3, p, li, td, th, dd, progress';
      for (const el of document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (!r.width || !el.checkVisibility({visibilityProperty: true})) continue;
        if (el.classList.contains('skip-link')) continue;  /* off-screen until focused */
        /* a table scrolls in its own box, by design; one made of cards on a phone must fit */
        if (el.closest('.table-wrap') && !el.closest('table.cards')) continue;
        if (r.left < -1 || r.right > width + 1)
          found.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 20)
                     + '" spans ' + Math.round(r.left) + '..' + Math.round(r.right));
      }
      return found;
    }""")


def keyboard_walk(page: Page, max_presses: int = 120) -> dict:
    """Press Tab until every control was reached, going round the page once (from wherever
    focus is: a page may focus an alert first). Returns {"unreached": [...],
    "no_visible_focus": [...], "obscured": [...], "order": [...]}, controls named by their
    text; "obscured": focused, but covered where it is drawn (e.g. by a sticky bar)."""
    labels = dict(page.evaluate(_MARK_CONTROLS))
    expected = list(labels)
    unfocused = {}
    for key in expected:
        element = page.locator(f'[data-e2e-key="{key}"]').first
        unfocused[key] = element.evaluate(_INDICATOR)
    order, no_focus, obscured, left_page = [], [], [], 0
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        key, indicator, covered = page.evaluate(_FOCUSED)
        if key is None:  # past the last control: the next Tab starts again at the top
            left_page += 1
            if left_page > 1:
                break
            continue
        if order and key == order[0]:
            break
        if key not in order:
            order.append(key)
            if not indicator.replace("|", "").replace(";", "").strip() \
                    or indicator == unfocused.get(key):
                no_focus.append(key)
            if covered:
                obscured.append(key)
        if set(expected) <= set(order):
            break
    return {"unreached": [labels[k] for k in expected if k not in order],
            "no_visible_focus": [labels.get(k, k) for k in no_focus],
            "obscured": [labels.get(k, k) for k in obscured],
            "order": [labels.get(k, k) for k in order]}


def small_tap_targets(page: Page, minimum: int = MIN_TAP_PX) -> list[str]:
    """Visible controls smaller than minimum × minimum CSS pixels. A visually hidden radio
    or checkbox is measured by its label, which is what a finger touches."""
    return page.evaluate("""(minimum) => {
      const small = [];
      const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
      for (const el of document.querySelectorAll(sel)) {
        if (el.classList.contains('skip-link')) continue;  /* measured when focused */
        const target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label')
          ? el.closest('label') : el;
        const r = target.getBoundingClientRect();
        if (!r.width || !target.checkVisibility({visibilityProperty: true})) continue;
        if (r.width < minimum || r.height < minimum)
          small.push(target.tagName.toLowerCase() + ' "' + target.textContent.trim().slice(0, 20)
                     + '" ' + Math.round(r.width) + '×' + Math.round(r.height));
      }
      return small;
    }""", minimum)


def progress_bars(page: Page) -> list[dict]:
    """Each progress bar as Chromium's accessibility tree gives it to a screen reader:
    {"name": accessible name, "value": the value it announces}."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    bars = []
    for node in nodes:
        if node.get("ignored") or node.get("role", {}).get("value") != "progressbar":
            continue
        props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        bars.append({"name": (node.get("name") or {}).get("value", ""),
                     "value": props.get("valuetext") or (node.get("value") or {}).get("value")
                     or props.get("valuenow")})
    return bars


def problems_on(page: Page, axe: bool = True, keyboard: bool = True,
                tap_targets: bool = False) -> dict[str, list[str]]:
    """Every check above that found something, by name; {} when the page passes them all."""
    problems = {
        "axe (WCAG 2.1 AA)": axe_violations(page) if axe else [],
        "sideways overflow": horizontal_overflow(page),
        "tap targets under 44 px": small_tap_targets(page) if tap_targets else [],
    }
    if keyboard:
        walk = keyboard_walk(page)
        problems["not reached by Tab"] = walk["unreached"]
        problems["no visible focus"] = walk["no_visible_focus"]
        problems["focused but hidden under something"] = walk["obscured"]
    return {name: found for name, found in problems.items() if found}
