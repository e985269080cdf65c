/**
 * Who may use the privileged UI API: only this extension's own pages. A content
 * script shares the extension id but its `url` is the web page's, so both the id
 * and the page URL are checked, all taken from the browser's `sender`.
 */

export interface PortSender {
  id?: string;
  url?: string;
  origin?: string;
}

/**
 * @param extensionBaseUrl `runtime.getURL('/')`, e.g. `chrome-extension://<id>/`.
 * A prefix test on the URL string, because `URL#origin` is "null" for extension
 * schemes in some engines.
 */
export function isOwnExtensionPage(
  sender: PortSender | undefined,
  extensionId: string,
  extensionBaseUrl: string,
) {
  if (!sender || sender.id !== extensionId || typeof sender.url !== 'string') return false;
  if (!extensionBaseUrl.endsWith('/') || !sender.url.startsWith(extensionBaseUrl)) return false;
  // Chrome also reports `origin`; when present it must agree.
  return sender.origin === undefined || `${sender.origin}/` === extensionBaseUrl;
}
