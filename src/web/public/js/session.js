// Who the page acts for: an API token (pasted, or from #token=…) or, inside Telegram, the Mini App's init data.
import { hideBanner, showBanner, useCredentials } from './api.js';
import { $ } from './dom.js';
import { applyTheme, telegramLaunch, telegramReady } from './telegram.js';

const TOKEN_KEY = 'tally.token';

function takeTokenFromFragment() {
  const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
  if (!match) return;
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

function showSignedIn(signedIn, canSignOut = true) {
  $('sign-in').hidden = signedIn;
  $('ledger').hidden = !signedIn;
  $('sign-out').hidden = !signedIn || !canSignOut;
}

function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  showSignedIn(false);
  if (message) showBanner(message);
  $('token').focus();
}

/**
 * Sets up the credentials and calls `signedIn(scope)` once the page may load the
 * ledger; `scope` names whose ledger it is (the offline queue is kept per scope).
 */
export function startSession(signedIn) {
  const launch = telegramLaunch();
  if (launch) {
    // Inside Telegram: no token is shown, pasted or kept; Telegram vouches for the user.
    applyTheme(launch.themeParams);
    useCredentials(`tma ${launch.initData}`, () =>
      showBanner('Telegram could not confirm who you are. Close Tally and open it again from the chat.'),
    );
    showSignedIn(true, false);
    telegramReady();
    const params = new URLSearchParams(launch.initData);
    const user = (() => {
      try {
        return JSON.parse(params.get('user') || '{}').id;
      } catch {
        return undefined;
      }
    })();
    signedIn(`tma:${user}:${params.get('start_param') || ''}`);
    return;
  }

  takeTokenFromFragment();
  const reject = () => signOut('Your token was rejected. Sign in with a valid token.');
  const begin = (token) => {
    useCredentials(`Bearer ${token}`, reject);
    showSignedIn(true);
    signedIn(`token:${token.slice(-12)}`);
  };
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    localStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    hideBanner();
    begin(value);
  });
  $('sign-out').addEventListener('click', () => signOut());
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) begin(token);
  else {
    showSignedIn(false);
    $('token').focus();
  }
}
