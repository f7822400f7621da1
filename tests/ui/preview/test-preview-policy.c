/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sero-preview-policy.h"
#include "sero-test-support.h"

/* The preview's rules as pure functions (issue 7): no display, no web
 * process. The pane test proves WebKit is wired to them; these prove what
 * they decide, case by case. */

/* Every source in the CSP is a keyword, a scheme the page makes itself, or
 * a loopback origin: a remote host slipping in (a CDN "just for fonts")
 * fails here. */
static void
test_csp_sources_are_local (void)
{
  const char *csp = sero_preview_policy_get_csp ();
  g_auto(GStrv) directives = g_strsplit (csp, ";", -1);
  static const char * const loopback[] = {
    "http://127.0.0.1:*", "http://localhost:*", "ws://127.0.0.1:*", "ws://localhost:*",
  };
  guint checked = 0;

  g_assert_null (strchr (csp, '\n'));

  for (guint i = 0; directives[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (directives[i]), " ", -1);

      g_assert_nonnull (words[0]);
      for (guint j = 1; words[j] != NULL; j++)
        {
          const char *source = words[j];
          gboolean ok = source[0] == '\'' ||
                        g_str_equal (source, "blob:") ||
                        g_str_equal (source, "data:") ||
                        g_strv_contains (loopback, source);

          if (!ok)
            g_error ("%s allows %s", words[0], source);
          checked++;
        }
    }

  g_assert_cmpuint (checked, >, 20);
}

static gboolean
csp_has (const char *directive)
{
  g_autofree char *with_separator = g_strconcat (directive, ";", NULL);
  const char *csp = sero_preview_policy_get_csp ();

  return strstr (csp, with_separator) != NULL || g_str_has_suffix (csp, directive);
}

static void
test_csp_directives (void)
{
  const char *csp = sero_preview_policy_get_csp ();

  g_assert_true (g_str_has_prefix (csp, "default-src 'self'; "));
  g_assert_true (csp_has ("object-src 'none'"));
  g_assert_true (csp_has ("base-uri 'self'"));
  g_assert_true (csp_has ("form-action 'self'"));
  g_assert_true (csp_has ("frame-src 'self' blob:"));
  /* Hot reload needs the loopback WebSocket. */
  g_assert_nonnull (strstr (csp, "connect-src 'self' blob: http://127.0.0.1:* http://localhost:* ws://127.0.0.1:* ws://localhost:*;"));
  /* No directive is given twice (the first would win silently). */
  {
    g_auto(GStrv) directives = g_strsplit (csp, "; ", -1);
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; directives[i] != NULL; i++)
      {
        char *name = g_strndup (directives[i], strcspn (directives[i], " "));

        g_assert_false (g_hash_table_contains (seen, name));
        g_hash_table_add (seen, name);
      }
    g_assert_cmpuint (g_hash_table_size (seen), ==, 13);
  }
}

static void
test_check_url (void)
{
  static const char * const accepted[] = {
    "http://127.0.0.1:5173/",
    "http://127.0.0.1:5173",
    "https://127.0.0.1:8443/app?x=1#top",
    "http://127.1.2.3:3000/",
    "http://[::1]:8080/",
    "http://localhost:3000/",
    "HTTP://LocalHost:3000/",
    "http://127.0.0.1/",
  };
  static const struct {
    const char *url;
    const char *message;
  } refused[] = {
    { "", "No address*" },
    { "not a url", "*is not a web address*" },
    { "127.0.0.1:5173", "“127.0.0.1:5173” is not a web address; try http://127.0.0.1:PORT/" },
    { "localhost:5173", "“localhost:5173” is not a web address*" },
    { "file:///etc/passwd", "Only http and https addresses can be previewed, not “file:”" },
    { "javascript:alert(1)", "*not “javascript:”" },
    { "data:text/html,hi", "*not “data:”" },
    { "ws://127.0.0.1:5173/", "*not “ws:”" },
    { "http://example.com/", "“http://example.com/” is not on this computer*" },
    { "http://10.0.0.5:3000/", "*not on this computer*" },
    { "http://0.0.0.0:3000/", "*not on this computer*" },
    { "http://localhost.example.com/", "*not on this computer*" },
    { "http://127.0.0.1.example.com/", "*not on this computer*" },
    { "http://127.0.0.1@example.com/", "*not on this computer*" },
    { "http://[::2]:8080/", "*not on this computer*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!sero_preview_policy_check_url (accepted[i], &error))
        g_error ("%s refused: %s", accepted[i], error->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sero_preview_policy_check_url (refused[i].url, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (!g_pattern_match_simple (refused[i].message, error->message))
        g_error ("%s: unexpected message “%s”", refused[i].url, error->message);
    }
}

static void
test_origin (void)
{
  static const struct {
    const char *url;
    const char *origin;
  } cases[] = {
    { "http://127.0.0.1:5173/src/main.ts?t=1#x", "http://127.0.0.1:5173" },
    { "http://LOCALHOST/", "http://localhost:80" },
    { "https://localhost/", "https://localhost:443" },
    { "http://[::1]:8080/", "http://[::1]:8080" },
    { "HTTPS://Example.COM:8443", "https://example.com:8443" },
    { "javascript:alert(1)", NULL },
    { "file:///tmp/x.html", NULL },
    { "blob:http://127.0.0.1:5173/1234", NULL },
    { "nonsense", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *origin = sero_preview_policy_dup_origin (cases[i].url);

      g_assert_cmpstr (origin, ==, cases[i].origin);
    }
}

static const char *
verdict_name (SeroPreviewVerdict verdict)
{
  switch (verdict)
    {
    case SERO_PREVIEW_VERDICT_ALLOW: return "allow";
    case SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY: return "external";
    case SERO_PREVIEW_VERDICT_DENY: return "deny";
    default: g_assert_not_reached ();
    }
}

static void
test_navigation (void)
{
  static const char origin[] = "http://127.0.0.1:5173/";
  static const struct {
    const char *url;
    gboolean    gesture;
    const char *verdict;
  } cases[] = {
    /* The dev server itself, however it is reached. */
    { "http://127.0.0.1:5173/", FALSE, "allow" },
    { "http://127.0.0.1:5173/about?x=1#y", FALSE, "allow" },
    { "http://localhost:5173/login", FALSE, "allow" },
    { "http://[::1]:5173/", FALSE, "allow" },
    { "about:blank", FALSE, "allow" },
    { "about:srcdoc", FALSE, "allow" },
    { "blob:http://127.0.0.1:5173/5f8e-11", FALSE, "allow" },
    /* Elsewhere: the browser when a person asked, nothing when a script did. */
    { "https://github.com/login/oauth", TRUE, "external" },
    { "https://github.com/login/oauth", FALSE, "deny" },
    { "http://127.0.0.1:8080/", TRUE, "external" },
    { "http://127.0.0.1:8080/", FALSE, "deny" },
    { "https://127.0.0.1:5173/", TRUE, "external" },
    /* Other schemes never, even with a click. */
    { "javascript:alert(1)", TRUE, "deny" },
    { "file:///etc/passwd", TRUE, "deny" },
    { "data:text/html,<script>alert(1)</script>", TRUE, "deny" },
    { "about:config", TRUE, "deny" },
    { "blob:https://evil.example/5f8e", TRUE, "deny" },
    { "vscode://file/etc/passwd", TRUE, "deny" },
    { "mailto:someone@example.com", TRUE, "deny" },
    { "http://", TRUE, "deny" },
    { "", TRUE, "deny" },
    { NULL, TRUE, "deny" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SeroPreviewVerdict verdict = sero_preview_policy_decide_navigation (origin, cases[i].url, cases[i].gesture);

      if (!g_str_equal (verdict_name (verdict), cases[i].verdict))
        g_error ("navigation to %s (gesture %d): %s, expected %s",
                 cases[i].url, cases[i].gesture, verdict_name (verdict), cases[i].verdict);
    }

  /* Without an origin (nothing loaded yet) nothing is "the dev server". */
  g_assert_cmpint (sero_preview_policy_decide_navigation (NULL, "http://127.0.0.1:5173/", FALSE),
                   ==, SERO_PREVIEW_VERDICT_DENY);
}

static void
test_popup (void)
{
  static const struct {
    const char *url;
    gboolean    gesture;
    const char *verdict;
  } cases[] = {
    { "http://example.com/docs", TRUE, "external" },
    { "https://example.com/docs", TRUE, "external" },
    { "http://127.0.0.1:5173/same-origin", TRUE, "external" },
    { "https://example.com/docs", FALSE, "deny" },
    { "javascript:alert(1)", TRUE, "deny" },
    { "file:///etc/passwd", TRUE, "deny" },
    { "data:text/html,hi", TRUE, "deny" },
    { "about:blank", TRUE, "deny" },
    { "sero-ext://plugin/index.html", TRUE, "deny" },
    { "https:", TRUE, "deny" },
    { "not a url", TRUE, "deny" },
    { "", TRUE, "deny" },
    { NULL, TRUE, "deny" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SeroPreviewVerdict verdict = sero_preview_policy_decide_popup (cases[i].url, cases[i].gesture);

      if (!g_str_equal (verdict_name (verdict), cases[i].verdict))
        g_error ("popup %s (gesture %d): %s, expected %s",
                 cases[i].url, cases[i].gesture, verdict_name (verdict), cases[i].verdict);
    }
}

static void
test_audit_lines (void)
{
  g_autofree char *plain = sero_preview_policy_format_audit ("denied popup", "javascript:alert(1)");
  g_autofree char *bare = sero_preview_policy_format_audit ("denied fullscreen", NULL);
  g_autofree char *password = sero_preview_policy_format_audit ("opened externally",
                                                                "https://me:hunter2hunter2@example.com/x");
  g_autofree char *token = sero_preview_policy_format_audit ("denied navigation",
                                                             "http://example.com/?t=ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  g_autofree char *forged = sero_preview_policy_format_audit ("denied popup",
                                                              "javascript:x\n[preview] opened externally https://ok/");
  g_autofree char *long_url = g_strnfill (5000, 'z');
  g_autofree char *data_url = g_strconcat ("data:text/html,", long_url, NULL);
  g_autofree char *cut = sero_preview_policy_format_audit ("denied popup", data_url);

  g_assert_cmpstr (plain, ==, "[preview] denied popup javascript:alert(1)");
  g_assert_cmpstr (bare, ==, "[preview] denied fullscreen");
  g_assert_cmpstr (password, ==, "[preview] opened externally https://me:[REDACTED:URL_PASSWORD]@example.com/x");
  g_assert_null (strstr (token, "ghp_"));
  g_assert_nonnull (strstr (token, "[REDACTED:GITHUB_TOKEN]"));
  g_assert_null (strchr (forged, '\n'));
  g_assert_cmpstr (forged, ==, "[preview] denied popup javascript:x%0A[preview] opened externally https://ok/");
  g_assert_cmpuint (g_utf8_strlen (cut, -1), <, 260);
  g_assert_true (g_str_has_suffix (cut, "…"));
}

/* `sero preview` refuses a remote address before it starts GTK, so it
 * fails the same with no display at all (the helper runs sero without
 * DISPLAY and WAYLAND_DISPLAY). */
static void
test_cli_refuses_remote (void)
{
  g_auto(SeroTestRun) run = { 0 };
  g_auto(SeroTestRun) usage = { 0 };

  sero_test_run_sero (&run, NULL, "preview", "http://example.com/", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "“http://example.com/” is not on this computer"));
  g_assert_cmpstr (run.out, ==, "");

  sero_test_run_sero (&usage, NULL, "preview", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "sero preview http://127.0.0.1:PORT"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/preview/policy/csp-sources-are-local", test_csp_sources_are_local);
  g_test_add_func ("/sero/preview/policy/csp-directives", test_csp_directives);
  g_test_add_func ("/sero/preview/policy/check-url", test_check_url);
  g_test_add_func ("/sero/preview/policy/origin", test_origin);
  g_test_add_func ("/sero/preview/policy/navigation", test_navigation);
  g_test_add_func ("/sero/preview/policy/popup", test_popup);
  g_test_add_func ("/sero/preview/policy/audit-lines", test_audit_lines);
  g_test_add_func ("/sero/preview/cli/refuses-remote", test_cli_refuses_remote);

  return g_test_run ();
}
