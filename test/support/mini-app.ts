import { createHmac } from 'node:crypto';

/**
 * Telegram Mini App init data, signed as Telegram signs it (written out here from
 * Telegram's documentation, not the app's code under test): the data-check string
 * is every field but `hash` as key=value, sorted, joined by line feeds; the key is
 * HMAC-SHA256("WebAppData", bot token); `hash` is the hex HMAC of the string.
 */
export function initData(
  botToken: string,
  fields: { user: { id: number; first_name: string }; startParam?: string; authDate?: number },
): string {
  const params: Record<string, string> = {
    auth_date: String(fields.authDate ?? Math.floor(Date.now() / 1000)),
    query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
    user: JSON.stringify(fields.user),
  };
  if (fields.startParam) params.start_param = fields.startParam;
  const check = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secret).update(check).digest('hex');
  return new URLSearchParams({ ...params, hash }).toString();
}

export const THEME = {
  bg_color: '#17212b',
  secondary_bg_color: '#0e1621',
  text_color: '#f5f5f5',
  hint_color: '#708499',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  destructive_text_color: '#ec3942',
  section_separator_color: '#0e1621',
};

/** The URL fragment Telegram opens a Mini App with. */
export function launchFragment(data: string, theme: Record<string, string> = THEME): string {
  const params = new URLSearchParams({
    tgWebAppData: data,
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'android',
    tgWebAppThemeParams: JSON.stringify(theme),
  });
  return `#${params.toString()}`;
}
