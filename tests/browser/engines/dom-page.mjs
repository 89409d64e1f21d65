// The subset of Playwright's Page API that the browser tests use, built on four
// primitives a WebDriver client has in every engine: run a function in the page
// (`_run`), a real mouse click (`_click`), a real key press (`_key`) and a screenshot.
// The Firefox (puppeteer-core over WebDriver BiDi) and WebKit (selenium-webdriver over
// WebKitWebDriver) adapters extend this class; Chromium uses Playwright's own Page.
//
// Semantics follow Playwright where the tests rely on them: actions wait for their
// element (60 s), `selectOption`/`fill` set the value and fire `input` + `change` /
// `input` as Playwright does, `waitForSelector` waits for `visible` by default.

// 60 s, not Playwright's 30: WebKit's first wasm compile on a busy 2-core machine took
// longer than 30 s once (the first drop of a test file waits for the engine to start).
const DEFAULT_TIMEOUT = 60_000;

/** Serialises `fn` so that `_run` can call it with one argument in the page. */
export function source(fn) {
  return typeof fn === 'string' ? fn : fn.toString();
}

export class DomPage {
  constructor() {
    this.keyboard = { press: (key) => this._key(key) };
  }

  // ------------------------------------------------------------- to implement
  /** Runs the function whose source is `src` as `(src)(arg)` in the page; awaits promises. */
  async _run(_src, _arg) {
    throw new Error('not implemented');
  }

  async _click(_selector) {
    throw new Error('not implemented');
  }

  async _key(_key) {
    throw new Error('not implemented');
  }

  // ------------------------------------------------------------- evaluation
  /** As Playwright: a function is called with `arg`; a string is an expression. */
  async evaluate(fn, arg) {
    return typeof fn === 'string' ? this._run(`() => (${fn})`) : this._run(source(fn), arg);
  }

  /**
   * Polls `fn(arg)` inside the page (one round trip per 2 s slice, not per poll) until
   * it is truthy; a navigation that destroys the page's context is retried.
   */
  async waitForFunction(fn, arg, { timeout = DEFAULT_TIMEOUT } = {}) {
    const end = Date.now() + timeout;
    const poll = `async ({ arg, slice }) => {
      const f = (${source(fn)});
      const stop = Date.now() + slice;
      for (;;) {
        let v;
        try { v = await f(arg); } catch (e) { v = undefined; }
        if (v) return { ok: true, v };
        if (Date.now() > stop) return { ok: false };
        await new Promise((r) => setTimeout(r, 50));
      }
    }`;
    let last;
    while (Date.now() < end) {
      try {
        const r = await this._run(poll, { arg, slice: Math.min(2000, Math.max(0, end - Date.now())) });
        if (r?.ok) return r.v;
      } catch (e) {
        last = e; // the page navigated mid-poll: try again in the new document
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`waitForFunction timed out after ${timeout} ms: ${source(fn).slice(0, 200)}${last ? ` (last error: ${last.message})` : ''}`);
  }

  async waitForSelector(selector, { state = 'visible', timeout = DEFAULT_TIMEOUT } = {}) {
    await this.waitForFunction(({ selector, state }) => {
      const el = document.querySelector(selector);
      const visible = !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      if (state === 'attached') return !!el;
      if (state === 'detached') return !el;
      if (state === 'hidden') return !visible;
      return visible;
    }, { selector, state }, { timeout });
  }

  /** Existence only: a truthy stand-in for the element handle, or null. */
  async $(selector) {
    return (await this._run((s) => !!document.querySelector(s), selector)) ? { selector } : null;
  }

  async $$eval(selector, fn, arg) {
    return this._run(`({ selector, arg }) => (${source(fn)})([...document.querySelectorAll(selector)], arg)`, { selector, arg });
  }

  async $eval(selector, fn, arg) {
    await this.waitForSelector(selector, { state: 'attached' });
    return this._run(`({ selector, arg }) => (${source(fn)})(document.querySelector(selector), arg)`, { selector, arg });
  }

  async innerHTML(selector) {
    return this.$eval(selector, (e) => e.innerHTML);
  }

  async textContent(selector) {
    return this.$eval(selector, (e) => e.textContent);
  }

  async inputValue(selector) {
    return this.$eval(selector, (e) => e.value);
  }

  async isVisible(selector) {
    return this._run((s) => {
      const el = document.querySelector(s);
      return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    }, selector);
  }

  async isHidden(selector) {
    return !(await this.isVisible(selector));
  }

  // ------------------------------------------------------------- actions
  /** Waits for an enabled element (and, for a select, the option), then sets the value. */
  async selectOption(selector, value) {
    await this.waitForFunction(({ selector, value }) => {
      const el = document.querySelector(selector);
      return !!el && !el.disabled && [...el.options].some((o) => o.value === value);
    }, { selector, value });
    await this._run(({ selector, value }) => {
      const el = document.querySelector(selector);
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, { selector, value });
  }

  async fill(selector, value) {
    await this.waitForFunction((s) => !!document.querySelector(s) && !document.querySelector(s).disabled, selector);
    await this._run(({ selector, value }) => {
      const el = document.querySelector(selector);
      el.focus();
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, { selector, value });
  }

  async #setChecked(selector, checked) {
    await this.waitForFunction((s) => !!document.querySelector(s) && !document.querySelector(s).disabled, selector);
    const now = await this._run((s) => document.querySelector(s).checked, selector);
    if (now !== checked) await this.click(selector);
    await this.waitForFunction(({ s, c }) => document.querySelector(s).checked === c, { s: selector, c: checked });
  }

  async check(selector) {
    await this.#setChecked(selector, true);
  }

  async uncheck(selector) {
    await this.#setChecked(selector, false);
  }

  async focus(selector) {
    await this.waitForSelector(selector, { state: 'attached' });
    await this._run((s) => document.querySelector(s).focus(), selector);
  }

  async press(selector, key) {
    await this.focus(selector);
    await this._key(key);
  }

  /** A real click (WebDriver pointer actions), after the element is visible and scrolled into view. */
  async click(selector) {
    await this.waitForSelector(selector);
    await this._run((s) => document.querySelector(s).scrollIntoView({ block: 'center' }), selector);
    await this._click(selector);
  }

  async bringToFront() {}
}
