// Everything on the page that shows ledger data registers here; one call brings it all up to date.
import { hideBanner, ignoreHandled } from './api.js';

const loaders = [];

export function onRefresh(load) {
  loaders.push(load);
}

export async function refresh() {
  hideBanner(); // each part raises it again if it fails
  try {
    await Promise.all(loaders.map((load) => load()));
  } catch (error) {
    ignoreHandled(error);
  }
}
