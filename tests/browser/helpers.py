"""Checks any board can reuse: every action on it can be seen and reached with the keyboard.

axe-core finds text in its own background colour, but not a button whose colours pass on paper while the box it
sits in paints over them, nor an action the keyboard never reaches. These checks measure the page as the browser
renders it.
"""

from playwright.sync_api import Page

#: What counts as an action: links, buttons, form controls and the summaries that open details.
ACTIONS = "a[href], button, select, summary, input:not([type=hidden]), textarea"

#: Marks every rendered action inside the root with data-action-check=<n> and measures its text against the colour
#: actually behind it: the element's own background, or the first ancestor that paints one, with semi-transparent
#: layers composed over the white canvas, as WCAG 1.4.3 counts contrast.
_MEASURE = """
([selector, actions]) => {
  const root = document.querySelector(selector);
  if (!root) return null;
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const found = [];
  root.querySelectorAll(actions).forEach((el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return;
    const back = background(el);
    const text = over(rgba(getComputedStyle(el).color), back);
    const [light, dark] = [luminance(text), luminance(back)].sort((x, y) => y - x);
    el.dataset.actionCheck = String(found.length);
    found.push({
      index: found.length, tag: el.tagName.toLowerCase(), id: el.id,
      text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
      ratio: (light + 0.05) / (dark + 0.05), color: getComputedStyle(el).color,
      background: `rgba(${back.map((v) => Math.round(v * 100) / 100).join(", ")})`,
    });
  });
  return found;
}
"""

#: The element that has the keyboard focus now (numbered on first sight, so a lap round the page shows), its action
#: mark, and whether the page shows where the focus is.
_FOCUSED = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (el.dataset.tabProbe === undefined) {
    window.__tabProbes = (window.__tabProbes || 0) + 1;
    el.dataset.tabProbe = String(window.__tabProbes);
  }
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  return {mark: el.dataset.actionCheck ?? null, ring, probe: el.dataset.tabProbe};
}
"""


def assert_actions_usable(page: Page, selector: str, *, minimum: float = 4.5) -> int:
    """Every action inside `selector` is visible (contrast >= `minimum` against its effective background) and
    receives the keyboard focus, with a visible focus ring, when one tabs through the page; returns how many."""
    actions = page.evaluate(_MEASURE, [selector, ACTIONS])
    assert actions, f"no actions found in {selector}"
    faint = [a for a in actions if a["ratio"] < minimum]
    assert not faint, "actions too faint to read:\n" + "\n".join(
        f"  <{a['tag']} id={a['id']!r}> {a['text']!r}: {a['ratio']:.2f}:1 ({a['color']} on {a['background']})"
        for a in faint)
    # Tab until every action has had the focus, or the focus has gone once round the whole page.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    focusable = page.evaluate("() => document.querySelectorAll('a[href], button, select, summary, input, textarea, "
                              "[tabindex]').length")
    reached: dict[str, bool] = {}
    first = None
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        now = page.evaluate(_FOCUSED)
        if now is None:
            continue
        if first is None:
            first = now["probe"]
        elif now["probe"] == first:
            break  # round the page once
        if now["mark"] is not None:
            reached[now["mark"]] = now["ring"]
        if len(reached) == len(actions):
            break
    missed = [a for a in actions if str(a["index"]) not in reached]
    assert not missed, "actions the keyboard never reaches:\n" + "\n".join(
        f"  <{a['tag']} id={a['id']!r}> {a['text']!r}" for a in missed)
    unseen = [a for a in actions if not reached[str(a["index"])]]
    assert not unseen, "actions that show no focus ring:\n" + "\n".join(
        f"  <{a['tag']} id={a['id']!r}> {a['text']!r}" for a in unseen)
    return len(actions)


def assert_no_sideways_scroll(page: Page) -> None:
    """Nothing on the page is wider than the screen (no clipped table on a phone)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
