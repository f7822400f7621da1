/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-test-support.h"

/* Runs the built `sero` binary the way a person or a script would: headless,
 * with DISPLAY and WAYLAND_DISPLAY unset, in a throwaway home. */

static char *home;
static char *override;

static void
run_sero (SeroTestRun *run,
          gboolean     with_override,
          const char  *first,
          ...)
{
  g_autofree char *home_var = g_strconcat ("HOME=", home, NULL);
  g_autofree char *override_var = g_strconcat ("SERO_HOME_OVERRIDE=", override, NULL);
  const char *env[] = { home_var, with_override ? override_var : "SERO_HOME_OVERRIDE", NULL };
  va_list args;

  va_start (args, first);
  sero_test_run_sero_valist (run, env, first, args);
  va_end (args);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
test_paths_json_headless (void)
{
  g_auto(SeroTestRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = g_build_filename (override, "agent", "auth.json", NULL);
  JsonObject *object;

  run_sero (&run, TRUE, "paths", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "home"), ==, override);
  g_assert_cmpstr (json_object_get_string_member (object, "provider-auth"), ==, auth);
  for (guint i = 0; i < 14; i++)
    {
      static const char *names[] = {
        "provider-auth", "profile-env", "github-auth", "models", "gateway-token", "gateway-config",
        "gateway-web-tokens", "layout", "workspace-registry", "global-memory", "app-state", "plugins",
        "sessions", "logs",
      };
      g_assert_true (json_object_has_member (object, names[i]));
    }
}

static void
test_paths_tab_lines (void)
{
  g_auto(SeroTestRun) run = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *expected = g_strdup_printf ("provider-auth\t%s/agent/auth.json", override);

  run_sero (&run, TRUE, "paths", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_true (g_strv_contains ((const char * const *) lines, expected));
  for (guint i = 0; lines[i] && lines[i][0]; i++)
    g_assert_nonnull (strchr (lines[i], '\t'));
}

static void
test_diagnostics_has_no_secrets (void)
{
  g_auto(SeroTestRun) run = { 0 };
  g_autofree char *auth = g_build_filename (override, "agent", "auth.json", NULL);
  g_autofree char *env = g_build_filename (override, "agent", ".env", NULL);
  g_autofree char *token = g_build_filename (override, "agent", "gateway-token", NULL);
  const char *anthropic = "sk-ant-api03-DiagnosticsMustNeverShowThisKey0123456789";
  const char *custom = "custom-provider-secret-value-0042";
  const char *hex = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233";
  g_autofree char *auth_json = g_strdup_printf ("{\"anthropic\": {\"type\": \"api_key\", \"key\": \"%s\"}}", anthropic);
  g_autofree char *env_text = g_strdup_printf ("MY_PROVIDER_API_KEY=%s\n", custom);

  write_file (auth, auth_json, 0644);
  write_file (env, env_text, 0600);
  write_file (token, hex, 0600);

  run_sero (&run, TRUE, "diagnostics", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, anthropic));
  g_assert_null (strstr (run.out, custom));
  g_assert_null (strstr (run.out, hex));
  g_assert_null (strstr (run.err, anthropic));

  g_assert_nonnull (strstr (run.out, "Sero diagnostics"));
  g_assert_nonnull (strstr (run.out, "display              none (headless)"));
  g_assert_nonnull (strstr (run.out, "provider-auth"));
  /* The loose auth.json is reported, not silently ignored. */
  g_assert_nonnull (strstr (run.out, "0644 secret (readable by others"));
}

static void
test_version_and_help (void)
{
  g_auto(SeroTestRun) version = { 0 };
  g_auto(SeroTestRun) help = { 0 };

  run_sero (&version, TRUE, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "sero " PACKAGE_VERSION));

  run_sero (&help, TRUE, "help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "paths"));
  g_assert_nonnull (strstr (help.out, "profile"));
  g_assert_nonnull (strstr (help.out, "diagnostics"));
}

static void
test_bad_usage (void)
{
  g_auto(SeroTestRun) unknown = { 0 };
  g_auto(SeroTestRun) bad_option = { 0 };
  g_auto(SeroTestRun) extra = { 0 };
  g_auto(SeroTestRun) bad_verb = { 0 };

  run_sero (&unknown, TRUE, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_true (g_str_has_prefix (unknown.err, "sero: unknown command “frobnicate”\nUsage: "));
  g_assert_cmpstr (unknown.out, ==, "");

  run_sero (&bad_option, TRUE, "paths", "--yaml", NULL);
  g_assert_cmpint (bad_option.status, ==, 2);
  g_assert_true (g_str_has_prefix (bad_option.err, "sero: "));
  g_assert_nonnull (strstr (bad_option.err, "Usage: sero paths"));

  run_sero (&extra, TRUE, "paths", "extra", NULL);
  g_assert_cmpint (extra.status, ==, 2);

  run_sero (&bad_verb, TRUE, "profile", "explode", NULL);
  g_assert_cmpint (bad_verb.status, ==, 2);
}

static void
test_profile_commands (void)
{
  g_auto(SeroTestRun) create = { 0 };
  g_auto(SeroTestRun) create2 = { 0 };
  g_auto(SeroTestRun) list = { 0 };
  g_auto(SeroTestRun) sw = { 0 };
  g_auto(SeroTestRun) paths = { 0 };
  g_auto(SeroTestRun) remove_active = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *work_path = g_build_filename (home, ".sero-ui", "profiles", "work", NULL);
  g_autofree char *expected_home = g_strdup_printf ("home\t%s\n", work_path);
  JsonObject *object;

  run_sero (&create, FALSE, "profile", "create", "Default", NULL);
  g_assert_cmpint (create.status, ==, 0);
  run_sero (&create2, FALSE, "profile", "create", "Work", NULL);
  g_assert_cmpint (create2.status, ==, 0);
  g_assert_nonnull (strstr (create2.out, work_path));

  run_sero (&sw, FALSE, "profile", "switch", "Work", NULL);
  g_assert_cmpint (sw.status, ==, 0);

  /* The next command runs in the switched profile. */
  run_sero (&paths, FALSE, "paths", NULL);
  g_assert_true (g_str_has_prefix (paths.out, expected_home));

  run_sero (&remove_active, FALSE, "profile", "remove", "Work", NULL);
  g_assert_cmpint (remove_active.status, ==, 1);
  g_assert_nonnull (strstr (remove_active.err, "active profile"));

  run_sero (&list, FALSE, "profile", "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, list.out, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "profiles")), ==, 2);
}

static void
test_broken_registry (void)
{
  g_autofree char *registry = g_build_filename (home, ".sero-ui", "profiles.json", NULL);
  g_auto(SeroTestRun) paths = { 0 };
  g_auto(SeroTestRun) diagnostics = { 0 };
  g_auto(SeroTestRun) repair = { 0 };
  g_auto(SeroTestRun) after = { 0 };
  g_autofree char *contents = NULL;

  write_file (registry, "{\"version\": 1, \"profiles\": [", 0600);

  run_sero (&paths, FALSE, "paths", NULL);
  g_assert_cmpint (paths.status, ==, 1);
  g_assert_nonnull (strstr (paths.err, registry));
  g_assert_nonnull (strstr (paths.err, "sero profile repair"));
  g_assert_true (g_file_get_contents (registry, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"version\": 1, \"profiles\": [");

  /* Diagnostics still report, and say what is wrong. */
  run_sero (&diagnostics, FALSE, "diagnostics", NULL);
  g_assert_cmpint (diagnostics.status, ==, 0);
  g_assert_true (g_str_has_prefix (diagnostics.out, "Profile registry problem: "));

  run_sero (&repair, FALSE, "profile", "repair", NULL);
  g_assert_cmpint (repair.status, ==, 0);
  g_assert_nonnull (strstr (repair.out, "profiles.json.broken-"));

  run_sero (&after, FALSE, "paths", NULL);
  g_assert_cmpint (after.status, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  home = g_dir_make_tmp ("sero-cli-home-XXXXXX", NULL);
  override = g_dir_make_tmp ("sero-cli-override-XXXXXX", NULL);

  g_test_add_func ("/sero/cli/paths-json-headless", test_paths_json_headless);
  g_test_add_func ("/sero/cli/paths-tab-lines", test_paths_tab_lines);
  g_test_add_func ("/sero/cli/diagnostics-has-no-secrets", test_diagnostics_has_no_secrets);
  g_test_add_func ("/sero/cli/version-and-help", test_version_and_help);
  g_test_add_func ("/sero/cli/bad-usage", test_bad_usage);
  g_test_add_func ("/sero/cli/profile-commands", test_profile_commands);
  g_test_add_func ("/sero/cli/broken-registry", test_broken_registry);

  ret = g_test_run ();

  g_free (home);
  g_free (override);
  return ret;
}
