/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preview"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "sero-preview-policy.h"
#include "sero-redact.h"

/* The rules of the embedded preview, written once (issue 7). The pane and
 * `sero preview` apply them; nothing here needs GTK or WebKit, so the unit
 * tests call these functions directly and the build without WebKitGTK
 * (macOS) still refuses the same addresses.
 *
 * The original's Electron shell is the model (reference gateway-gate-agent
 * §4): popups never become windows, http(s) ones go to the system browser,
 * permissions are denied, and every denial is one log line with a stable
 * prefix so it can be audited. */

/* A data: or javascript: URL can be as long as a page; an audit line only
 * has to say which one it was. */
#define AUDIT_SUBJECT_MAX 200

/* The Content-Security-Policy every preview view is constructed with, as if
 * each response carried it in a header. A dev server's own policy applies on
 * top of it (policies are additive), so a page can tighten it, never widen
 * it. Loopback sources are spelled `127.0.0.1` and `localhost` only, as the
 * original did after finding that `[::1]` is not accepted as a source; a
 * server on ::1 still has its own origin through 'self'. An `http:` or
 * `ws:` source also matches `https:`/`wss:` on the same host (CSP 3), so a
 * dev server started with TLS needs nothing extra. */
static const char preview_csp[] =
  /* Anything not named below may only come from the dev server itself. */
  "default-src 'self'; "
  /* Dev servers inline their bootstrap and hot-reload client ('unsafe-inline');
   * webpack's default development build wraps every module in eval()
   * ('unsafe-eval'); WebAssembly toolchains compile at run time. Loopback
   * origins cover a second local server (an API, a component explorer).
   * No remote origin: a remote script runs with the page's rights and could
   * read anything the page can. */
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob: http://127.0.0.1:* http://localhost:*; "
  /* CSS-in-JS and Vite inject <style> elements; no remote style sheets,
   * which can exfiltrate through selectors and url(). */
  "style-src 'self' 'unsafe-inline' blob: http://127.0.0.1:* http://localhost:*; "
  /* Images are loopback, data: and blob: only: a remote image is also a
   * beacon that can carry data out in its address. */
  "img-src 'self' data: blob: http://127.0.0.1:* http://localhost:*; "
  /* Fonts bundled by the project, often inlined as data: by the bundler. */
  "font-src 'self' data: http://127.0.0.1:* http://localhost:*; "
  /* Audio and video the app generates (blob:) or bundles. */
  "media-src 'self' data: blob: http://127.0.0.1:* http://localhost:*; "
  /* fetch, XHR, EventSource and WebSocket: the local API and the
   * hot-reload socket, nothing remote. This is the directive that keeps
   * a page from sending what it can read to somebody else. */
  "connect-src 'self' blob: http://127.0.0.1:* http://localhost:* ws://127.0.0.1:* ws://localhost:*; "
  /* Bundlers start workers from blob: URLs. */
  "worker-src 'self' blob:; "
  /* Frames stay on the page's own origin: WebKitGTK's policy signal cannot
   * tell a frame's navigation from the page's, so an other-origin frame
   * would meet the top-level rule anyway; blocking it here says so in the
   * console instead of loading it half-way. */
  "frame-src 'self' blob:; "
  "manifest-src 'self'; "
  /* Plug-ins have no place in a preview. */
  "object-src 'none'; "
  /* A <base> element would redirect every relative URL on the page. */
  "base-uri 'self'; "
  /* Forms post to the dev server only, never to a remote collector. */
  "form-action 'self'";

/**
 * sero_preview_policy_get_csp:
 *
 * Returns: the Content-Security-Policy of every preview, on one line
 */
const char *
sero_preview_policy_get_csp (void)
{
  return preview_csp;
}

static GUri *
parse_web_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL)
    return NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return NULL;
  if (host == NULL || host[0] == '\0')
    return NULL;

  return g_steal_pointer (&uri);
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static int
effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;

  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/**
 * sero_preview_policy_is_web_url:
 * @url: (nullable): an address
 *
 * The original's external-URL validator: only text that parses as an
 * `http:` or `https:` URL with a host may be handed to the system browser.
 *
 * Returns: whether @url may be opened in the system browser
 */
gboolean
sero_preview_policy_is_web_url (const char *url)
{
  g_autoptr(GUri) uri = parse_web_url (url);

  return uri != NULL;
}

/**
 * sero_preview_policy_check_url:
 * @url: the address of a dev server
 * @error: set to a %G_IO_ERROR_INVALID_ARGUMENT a person can act on
 *
 * A preview shows dev servers on this computer only: `http` or `https` on
 * 127.0.0.0/8, ::1 or localhost. Anything else belongs in a browser.
 *
 * Returns: whether @url may be previewed
 */
gboolean
sero_preview_policy_check_url (const char  *url,
                               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (url == NULL || url[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No address to preview"));
      return FALSE;
    }

  /* "127.0.0.1:5173" does not parse and "localhost:5173" parses as the
   * scheme "localhost"; both are an address without its http://. */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL || (g_uri_get_path (uri)[0] != '\0' &&
                      strspn (g_uri_get_path (uri), "0123456789") == strlen (g_uri_get_path (uri)) &&
                      g_uri_get_host (uri) == NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a web address; try http://127.0.0.1:PORT/"), url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Only http and https addresses can be previewed, not “%s:”"), scheme);
      return FALSE;
    }

  if (g_uri_get_host (uri) == NULL || !is_loopback_host (g_uri_get_host (uri)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not on this computer: the preview only shows dev servers on "
                     "127.0.0.1, ::1 or localhost. Open it in a web browser instead."), url);
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_preview_policy_dup_origin:
 * @url: (nullable): an address
 *
 * Returns: (transfer full) (nullable): `scheme://host:port` of an http(s)
 *   @url, lower case, with the default port spelled out; %NULL for
 *   anything else
 */
char *
sero_preview_policy_dup_origin (const char *url)
{
  g_autoptr(GUri) uri = parse_web_url (url);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;

  if (uri == NULL)
    return NULL;

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%d", scheme, host, effective_port (uri));

  return g_strdup_printf ("%s://%s:%d", scheme, host, effective_port (uri));
}

/* One dev server is one scheme and port on this computer, whichever name
 * reaches it: a server registered as 127.0.0.1 that redirects to localhost
 * (Vite prints both) is still the page the person asked for. */
static gboolean
same_dev_server (const char *origin,
                 const char *url)
{
  g_autoptr(GUri) a = parse_web_url (origin);
  g_autoptr(GUri) b = parse_web_url (url);

  if (a == NULL || b == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) != 0 ||
      effective_port (a) != effective_port (b))
    return FALSE;

  if (g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0)
    return TRUE;

  return is_loopback_host (g_uri_get_host (a)) && is_loopback_host (g_uri_get_host (b));
}

/**
 * sero_preview_policy_decide_navigation:
 * @origin: (nullable): the dev server the preview was opened on
 * @url: (nullable): where a frame of the page wants to go
 * @user_initiated: whether a person clicked or typed (a user gesture)
 *
 * Navigation stays on the dev server. Another http(s) address opens in
 * the system browser when a person asked for it, and is ignored when a
 * script or a redirect did, so a page cannot fill the browser with tabs.
 * `about:blank`/`about:srcdoc` (an empty frame's first document) and the
 * server's own `blob:` documents stay; every other scheme is denied.
 *
 * Returns: what to do with the navigation
 */
SeroPreviewVerdict
sero_preview_policy_decide_navigation (const char *origin,
                                       const char *url,
                                       gboolean    user_initiated)
{
  const char *scheme = url ? g_uri_peek_scheme (url) : NULL;

  if (scheme == NULL)
    return SERO_PREVIEW_VERDICT_DENY;

  if (g_str_equal (scheme, "about"))
    {
      if (g_str_equal (url + strlen ("about:"), "blank") || g_str_equal (url + strlen ("about:"), "srcdoc"))
        return SERO_PREVIEW_VERDICT_ALLOW;
      return SERO_PREVIEW_VERDICT_DENY;
    }

  /* A blob: URL carries the origin that made it: blob:http://127.0.0.1:5173/<uuid>. */
  if (g_str_equal (scheme, "blob"))
    return same_dev_server (origin, url + strlen ("blob:")) ? SERO_PREVIEW_VERDICT_ALLOW
                                                            : SERO_PREVIEW_VERDICT_DENY;

  if (!g_str_equal (scheme, "http") && !g_str_equal (scheme, "https"))
    return SERO_PREVIEW_VERDICT_DENY;

  if (!sero_preview_policy_is_web_url (url))
    return SERO_PREVIEW_VERDICT_DENY;

  if (same_dev_server (origin, url))
    return SERO_PREVIEW_VERDICT_ALLOW;

  return user_initiated ? SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY : SERO_PREVIEW_VERDICT_DENY;
}

/**
 * sero_preview_policy_decide_popup:
 * @url: (nullable): what a page asked to open in a new window
 * @user_initiated: whether a person clicked (a user gesture)
 *
 * A preview never opens a window. An http(s) address a person asked for
 * goes to the system browser; `javascript:`, `file:`, `data:`, custom
 * schemes and requests without a gesture do nothing.
 *
 * Returns: %SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY or %SERO_PREVIEW_VERDICT_DENY
 */
SeroPreviewVerdict
sero_preview_policy_decide_popup (const char *url,
                                  gboolean    user_initiated)
{
  if (!sero_preview_policy_is_web_url (url))
    return SERO_PREVIEW_VERDICT_DENY;

  return user_initiated ? SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY : SERO_PREVIEW_VERDICT_DENY;
}

/* http://user:secret@host/ → http://user:[REDACTED:URL_PASSWORD]@host/ */
static char *
strip_url_password (const char *text)
{
  const char *authority = strstr (text, "://");
  const char *end;
  const char *at = NULL;
  const char *colon = NULL;

  if (authority == NULL)
    return g_strdup (text);
  authority += strlen ("://");

  end = authority + strcspn (authority, "/?#");
  for (const char *p = authority; p < end; p++)
    if (*p == '@')
      at = p;
  if (at == NULL)
    return g_strdup (text);

  colon = memchr (authority, ':', at - authority);
  if (colon == NULL)
    return g_strdup (text);

  return g_strdup_printf ("%.*s[REDACTED:URL_PASSWORD]%s", (int) (colon + 1 - text), text, at);
}

/**
 * sero_preview_policy_format_audit:
 * @action: what happened, e.g. "denied popup"
 * @subject: (nullable): the address or permission it happened to
 *
 * One audit line: the prefix, the action and the subject with passwords
 * and secrets redacted, control characters escaped (a crafted URL cannot
 * forge a second line) and long subjects cut.
 *
 * Returns: (transfer full): the line, without a newline
 */
char *
sero_preview_policy_format_audit (const char *action,
                                  const char *subject)
{
  g_autofree char *stripped = NULL;
  g_autofree char *redacted = NULL;
  g_autoptr(GString) clean = NULL;
  guint chars = 0;

  g_return_val_if_fail (action != NULL, NULL);

  if (subject == NULL || subject[0] == '\0')
    return g_strdup_printf ("%s %s", SERO_PREVIEW_AUDIT_PREFIX, action);

  stripped = strip_url_password (subject);
  redacted = sero_redact (stripped);
  clean = g_string_new (NULL);

  for (const char *p = redacted; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (chars++ == AUDIT_SUBJECT_MAX)
        {
          g_string_append (clean, "…");
          break;
        }

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (clean, "%%%02X", c);
      else
        g_string_append_unichar (clean, c);
    }

  return g_strdup_printf ("%s %s %s", SERO_PREVIEW_AUDIT_PREFIX, action, clean->str);
}

/**
 * sero_preview_policy_audit:
 * @action: what happened, e.g. "denied popup"
 * @subject: (nullable): the address or permission it happened to
 *
 * Logs one audit line as a message, so it reaches the log file of the
 * running profile as well as the terminal.
 */
void
sero_preview_policy_audit (const char *action,
                           const char *subject)
{
  g_autofree char *line = sero_preview_policy_format_audit (action, subject);

  g_message ("%s", line);
}
