// Inside Telegram (a Mini App) the page is opened with launch parameters in its URL fragment.
// Telegram's SDK (served by Tally at /vendor/tma/) reads them; the raw init data is the credential.

/** {initData, themeParams} when opened as a Mini App; null in a plain browser. */
export function telegramLaunch() {
  const sdk = window.telegramApps?.sdk;
  let initData = null;
  let themeParams = {};
  try {
    initData = sdk?.retrieveRawInitData() ?? null;
  } catch {
    initData = null;
  }
  if (!initData) {
    // The SDK refuses launch parameters it finds incomplete; tgWebAppData alone is still Telegram's signed init data.
    initData = new URLSearchParams(location.hash.slice(1)).get('tgWebAppData');
  }
  if (!initData) return null;
  try {
    themeParams = sdk?.retrieveLaunchParams()?.tgWebAppThemeParams ?? {};
  } catch {
    themeParams = parseTheme(new URLSearchParams(location.hash.slice(1)).get('tgWebAppThemeParams'));
  }
  return { initData, themeParams };
}

function parseTheme(json) {
  try {
    return JSON.parse(json || '{}');
  } catch {
    return {};
  }
}

/** Telegram's theme colours become the page's (snake_case from Telegram, camelCase from the SDK). */
const THEME = {
  '--bg': ['secondary_bg_color', 'secondaryBgColor'],
  '--card': ['bg_color', 'bgColor'],
  '--ink': ['text_color', 'textColor'],
  '--muted': ['hint_color', 'hintColor'],
  '--accent': ['button_color', 'buttonColor'],
  '--accent-ink': ['button_text_color', 'buttonTextColor'],
  '--bad': ['destructive_text_color', 'destructiveTextColor'],
  '--line': ['section_separator_color', 'sectionSeparatorColor'],
};

export function applyTheme(themeParams) {
  const root = document.documentElement;
  root.classList.add('in-telegram');
  for (const [variable, names] of Object.entries(THEME)) {
    const value = names
      .map((name) => themeParams[name])
      .find((colour) => typeof colour === 'string' && /^#[0-9a-f]{3,8}$/i.test(colour));
    if (value) root.style.setProperty(variable, value);
  }
}

/** Tells Telegram the page is ready (it hides its loading screen); nothing outside Telegram. */
export function telegramReady() {
  try {
    window.telegramApps?.sdk?.postEvent('web_app_ready');
  } catch {
    // Not inside Telegram's client (a browser opened with launch parameters): nothing to tell.
  }
}
