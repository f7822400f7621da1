/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero.h"

/* The seed's table of sensitive surfaces, by the names `sero paths` uses. */
static const struct {
  const char *name;
  const char *relative;  /* to SERO_HOME */
} seed_surfaces[] = {
  { "provider-auth",      "agent/auth.json" },
  { "profile-env",        "agent/.env" },
  { "github-auth",        "agent/github-auth.json" },
  { "models",             "agent/models.json" },
  { "gateway-token",      "agent/gateway-token" },
  { "gateway-config",     "agent/gateway-config.json" },
  { "gateway-web-tokens", "agent/gateway-web-tokens.json" },
  { "layout",             "agent/layout.json" },
  { "workspace-registry", "agent/workspaces.json" },
  { "global-memory",      "workspaces/global" },
  { "app-state",          "apps" },
  { "plugins",            "agent/plugins" },
  { "sessions",           "agent/sessions" },
  { "logs",               "logs" },
};

static void
test_map_covers_seed (void)
{
  g_autoptr(SeroPaths) paths = sero_paths_new_for_home ("/srv/sero-profile", SERO_HOME_SOURCE_PROFILE);

  for (guint i = 0; i < G_N_ELEMENTS (seed_surfaces); i++)
    {
      g_autofree char *expected = g_build_filename ("/srv/sero-profile", seed_surfaces[i].relative, NULL);
      g_autofree char *path = sero_paths_lookup (paths, seed_surfaces[i].name);

      g_assert_cmpstr (path, ==, expected);
    }

  g_assert_null (sero_paths_lookup (paths, "no-such-surface"));
  g_assert_cmpstr (sero_paths_get_agent_dir (paths), ==, "/srv/sero-profile/agent");
}

static void
test_secret_flags (void)
{
  static const char *secret[] = {
    "provider-auth", "profile-env", "github-auth", "models",
    "gateway-token", "gateway-config", "gateway-web-tokens",
  };
  guint n_entries, n_secret = 0;
  const SeroPathEntry *map = sero_path_map (&n_entries);

  for (guint i = 0; i < G_N_ELEMENTS (secret); i++)
    g_assert_true (sero_path_map_lookup (secret[i])->secret);

  for (guint i = 0; i < n_entries; i++)
    n_secret += map[i].secret;
  g_assert_cmpuint (n_secret, ==, G_N_ELEMENTS (secret));
}

static void
test_ui_root (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("sero-root-XXXXXX", NULL);
  g_autofree char *expected = g_build_filename (tmp, ".sero-ui", NULL);
  g_autofree char *root = NULL;
  g_autofree char *override_root = NULL;

  g_setenv ("HOME", tmp, TRUE);
  g_unsetenv ("SERO_HOME_OVERRIDE");
  root = sero_paths_get_ui_root ();
  g_assert_cmpstr (root, ==, expected);

  g_setenv ("SERO_HOME_OVERRIDE", "/srv/override/../override", TRUE);
  override_root = sero_paths_get_ui_root ();
  g_assert_cmpstr (override_root, ==, "/srv/override");
  g_unsetenv ("SERO_HOME_OVERRIDE");
}

static void
test_apply_environment (void)
{
  g_autofree char *home = g_dir_make_tmp ("sero-env-home-XXXXXX", NULL);
  g_autofree char *env = g_build_filename (home, "agent", ".env", NULL);
  g_autofree char *agent = g_build_filename (home, "agent", NULL);
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *loaded;

  g_assert_cmpint (g_mkdir_with_parents (agent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (env, "SERO_TEST_NEW=from-file\nSERO_TEST_SET=from-file\n", -1, NULL));
  g_assert_cmpint (g_chmod (env, 0600), ==, 0);
  g_setenv ("SERO_TEST_SET", "from-environment", TRUE);
  g_setenv ("SERO_HOME", "/stale/value/from/a/relaunch", TRUE);

  paths = sero_paths_new_for_home (home, SERO_HOME_SOURCE_PROFILE);
  g_assert_true (sero_paths_apply_environment (paths, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (g_getenv ("SERO_HOME"), ==, home);
  g_assert_cmpstr (g_getenv ("PI_CODING_AGENT_DIR"), ==, agent);
  g_assert_cmpstr (g_getenv ("SERO_TEST_NEW"), ==, "from-file");
  g_assert_cmpstr (g_getenv ("SERO_TEST_SET"), ==, "from-environment");

  loaded = sero_paths_get_loaded_env_keys (paths);
  g_assert_true (g_strv_contains (loaded, "SERO_TEST_NEW"));
  g_assert_false (g_strv_contains (loaded, "SERO_TEST_SET"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/paths/map-covers-seed", test_map_covers_seed);
  g_test_add_func ("/sero/paths/secret-flags", test_secret_flags);
  g_test_add_func ("/sero/paths/ui-root", test_ui_root);
  g_test_add_func ("/sero/paths/apply-environment", test_apply_environment);

  return g_test_run ();
}
