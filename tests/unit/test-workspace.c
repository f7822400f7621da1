/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero.h"
#include "sero-runtime-oci.h"
#include "sero-workspace-registry.h"

static char *
make_tmpdir (void)
{
  return g_dir_make_tmp ("sero-ws-XXXXXX", NULL);
}

static JsonObject *
read_json (const char *path)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);

  g_assert_no_error (error);
  return object;
}

static void
write_config (const char *folder,
              const char *json)
{
  g_autofree char *path = g_build_filename (folder, ".sero-workspace.json", NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
}

static void
test_id_rules (void)
{
  static const struct { const char *name; const char *slug; } cases[] = {
    { "My App", "my-app" },
    { "  --Hello, World!--  ", "hello-world" },
    { "Ünïcödé Tëst", "unicode-test" },
    { "!!!", "workspace" },
    { "a__b", "a-b" },
    { "123", "123" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *slug = sero_workspace_slugify (cases[i].name);

      g_assert_cmpstr (slug, ==, cases[i].slug);
      g_assert_true (sero_workspace_id_is_valid (slug));
    }

  g_assert_false (sero_workspace_id_is_valid ("-leading"));
  g_assert_false (sero_workspace_id_is_valid ("Upper"));
  g_assert_false (sero_workspace_id_is_valid ("with:colon"));
  g_assert_false (sero_workspace_id_is_valid (""));
  g_assert_false (sero_workspace_id_is_valid (NULL));
}

static void
test_backend_compat (void)
{
  static const struct { const char *json; SeroRuntimeBackend backend; gboolean note; } cases[] = {
    { "{\"runtime\": {\"backend\": \"host\"}}", SERO_RUNTIME_BACKEND_HOST, FALSE },
    { "{\"runtime\": {\"backend\": \"docker\"}}", SERO_RUNTIME_BACKEND_DOCKER, FALSE },
    { "{\"runtime\": {\"backend\": \"mac-host\"}}", SERO_RUNTIME_BACKEND_HOST, TRUE },
    { "{\"container\": false}", SERO_RUNTIME_BACKEND_HOST, TRUE },
    { "{\"container\": true}", SERO_RUNTIME_BACKEND_DOCKER, TRUE },
    /* runtime.backend wins over the legacy key. */
    { "{\"container\": true, \"runtime\": {\"backend\": \"host\"}}", SERO_RUNTIME_BACKEND_HOST, FALSE },
    /* Not on this platform: the platform's container backend instead. */
    { "{\"runtime\": {\"backend\": \"apple-container\"}}", SERO_RUNTIME_BACKEND_DOCKER, TRUE },
    { "{}", SERO_RUNTIME_BACKEND_DOCKER, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = make_tmpdir ();
      g_autoptr(SeroWorkspace) ws = sero_workspace_new ("case", dir);
      g_autoptr(GError) error = NULL;

      write_config (dir, cases[i].json);
      if (strstr (cases[i].json, "apple-container"))
        g_test_expect_message ("sero-workspace", G_LOG_LEVEL_MESSAGE, "*apple-container is not supported*");
      g_assert_true (sero_workspace_load_config (ws, &error));
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_cmpint (sero_workspace_get_backend (ws), ==, cases[i].backend);
      g_assert_true ((sero_workspace_get_backend_note (ws) != NULL) == cases[i].note);
    }
}

static void
test_global_defaults_to_host (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autoptr(SeroWorkspace) global = sero_workspace_new ("global", dir);
  g_autoptr(SeroWorkspace) other = sero_workspace_new ("other", dir);

  g_assert_cmpint (sero_workspace_get_backend (global), ==, SERO_RUNTIME_BACKEND_HOST);
  g_assert_cmpint (sero_workspace_get_backend (other), ==, SERO_RUNTIME_BACKEND_DOCKER);
}

static void
test_normalised_on_write (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *file = g_build_filename (dir, ".sero-workspace.json", NULL);
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("legacy", dir);
  g_autoptr(JsonObject) saved = NULL;
  g_autoptr(GError) error = NULL;

  write_config (dir, "{\"id\": \"legacy\", \"name\": \"Legacy\", \"container\": false,"
                     " \"contextHints\": [\"finance\"], \"runtime\": {\"previewPortPoolSize\": 4},"
                     " \"roots\": [{\"id\": \"r\", \"name\": \"R\", \"path\": \"/srv/r\", \"kind\": \"folder\"}]}");
  g_assert_true (sero_workspace_load_config (ws, &error));
  g_assert_true (sero_workspace_save_config (ws, &error));
  g_assert_no_error (error);

  saved = read_json (file);
  g_assert_false (json_object_has_member (saved, "container"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (saved, "runtime"), "backend"), ==, "host");
  /* Fields we do not model survive, inside runtime too. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (saved, "runtime"), "previewPortPoolSize"), ==, 4);
  g_assert_true (json_object_has_member (saved, "contextHints"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (saved, "roots")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (saved, "name"), ==, "Legacy");
}

static void
test_broken_config_untouched (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *file = g_build_filename (dir, ".sero-workspace.json", NULL);
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("broken", dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  write_config (dir, "{\"mounts\": [1, 2]}");
  g_assert_false (sero_workspace_load_config (ws, &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "mounts[0]"));
  g_clear_error (&error);

  g_assert_false (sero_workspace_save_config (ws, &error));
  g_assert_true (g_file_get_contents (file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "{\"mounts\": [1, 2]}");
}

static void
test_mounts (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("m", dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (sero_workspace_add_mount (ws, "/srv/data/", FALSE, &error));
  g_assert_true (sero_workspace_add_mount (ws, "/srv/data", FALSE, &error));
  g_assert_cmpuint (g_strv_length ((GStrv) sero_workspace_get_mounts (ws)), ==, 1);

  /* The same path again read-only moves it, never lists it twice. */
  g_assert_true (sero_workspace_add_mount (ws, "/srv/data", TRUE, &error));
  g_assert_cmpuint (g_strv_length ((GStrv) sero_workspace_get_mounts (ws)), ==, 0);
  g_assert_cmpstr (sero_workspace_get_read_only_mounts (ws)[0], ==, "/srv/data");
  g_assert_cmpuint (sero_workspace_get_mount_count (ws), ==, 1);

  g_assert_false (sero_workspace_add_mount (ws, "relative/path", FALSE, &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sero_workspace_add_mount (ws, "/srv/a,b", FALSE, &error));
  g_clear_error (&error);
  g_assert_false (sero_workspace_add_mount (ws, dir, FALSE, &error));
  g_clear_error (&error);

  g_assert_true (sero_workspace_remove_mount (ws, "/srv/data", &error));
  g_assert_false (sero_workspace_remove_mount (ws, "/srv/data", &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND);
}

/* A folder that is both an attached root and a read-only mount is mounted
 * read-only, once. */
static void
test_mount_specs_read_only_wins (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *shared = make_tmpdir ();
  g_autofree char *config = g_build_filename (dir, ".sero-workspace.json", NULL);
  g_autofree char *text = g_strdup_printf ("{\"id\": \"ro-root\", \"mounts\": [], "
                                           "\"readOnlyMounts\": [\"%s\"], "
                                           "\"roots\": [{\"path\": \"%s\"}]}", shared, shared);
  g_autofree char *expected_ro = g_strdup_printf ("%s:%s:ro", shared, shared);
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("ro-root", dir);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) specs = NULL;

  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  g_assert_true (sero_workspace_load_config (ws, &error));
  g_assert_no_error (error);

  specs = sero_runtime_build_mount_specs (ws, NULL);
  g_assert_cmpuint (g_strv_length (specs), ==, 2);
  g_assert_cmpstr (specs[1], ==, expected_ro);
}

static void
test_mount_specs (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *extra = make_tmpdir ();
  g_autofree char *shared = make_tmpdir ();
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("specs", dir);
  g_autoptr(SeroWorkspace) reordered = sero_workspace_new ("specs", dir);
  g_auto(GStrv) skipped = NULL;
  g_auto(GStrv) specs = NULL;
  g_auto(GStrv) specs2 = NULL;
  g_autofree char *expected_rw = g_strdup_printf ("%s:%s:rw", extra, extra);
  g_autofree char *expected_ro = g_strdup_printf ("%s:%s:ro", shared, shared);
  g_autofree char *expected_ws = g_strdup_printf ("%s:/workspace:rw", dir);
  g_autofree char *sig1 = NULL;
  g_autofree char *sig2 = NULL;

  g_assert_true (sero_workspace_add_mount (ws, extra, FALSE, NULL));
  g_assert_true (sero_workspace_add_mount (ws, "/does/not/exist", FALSE, NULL));
  g_assert_true (sero_workspace_add_mount (ws, shared, TRUE, NULL));

  specs = sero_runtime_build_mount_specs (ws, &skipped);
  g_assert_cmpuint (g_strv_length (specs), ==, 3);
  g_assert_cmpstr (specs[0], ==, expected_ws);
  g_assert_cmpstr (specs[1], ==, expected_ro);
  g_assert_cmpstr (specs[2], ==, expected_rw);
  g_assert_cmpuint (g_strv_length (skipped), ==, 1);
  g_assert_cmpstr (skipped[0], ==, "/does/not/exist");
  g_assert_false (g_file_test ("/does/not/exist", G_FILE_TEST_EXISTS));

  /* The signature does not depend on order, and changes with the set. */
  g_assert_true (sero_workspace_add_mount (reordered, shared, TRUE, NULL));
  g_assert_true (sero_workspace_add_mount (reordered, extra, FALSE, NULL));
  specs2 = sero_runtime_build_mount_specs (reordered, NULL);
  sig1 = sero_runtime_mount_signature ((const char * const *) specs);
  sig2 = sero_runtime_mount_signature ((const char * const *) specs2);
  g_assert_cmpstr (sig1, ==, sig2);
  g_assert_true (sero_workspace_remove_mount (reordered, shared, NULL));
  g_clear_pointer (&specs2, g_strfreev);
  specs2 = sero_runtime_build_mount_specs (reordered, NULL);
  g_free (sig2);
  sig2 = sero_runtime_mount_signature ((const char * const *) specs2);
  g_assert_cmpstr (sig1, !=, sig2);
}

static void
test_image_choice (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autoptr(SeroWorkspace) ws = sero_workspace_new ("img", dir);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_unsetenv ("SERO_NODE_IMAGE");
  a = sero_runtime_default_image (ws);
  g_assert_cmpstr (a, ==, "sero-node:latest");
  g_setenv ("SERO_NODE_IMAGE", "localhost/custom:1", TRUE);
  b = sero_runtime_default_image (ws);
  g_assert_cmpstr (b, ==, "localhost/custom:1");
  sero_workspace_set_image (ws, "mine:2");
  c = sero_runtime_default_image (ws);
  g_assert_cmpstr (c, ==, "mine:2");
  g_unsetenv ("SERO_NODE_IMAGE");
}

static void
test_registry (void)
{
  g_autofree char *home = make_tmpdir ();
  g_autofree char *file = g_build_filename (home, "agent", "workspaces.json", NULL);
  g_autofree char *a = make_tmpdir ();
  g_autofree char *b = make_tmpdir ();
  g_autofree char *with_config = make_tmpdir ();
  g_autoptr(SeroWorkspaceRegistry) registry = sero_workspace_registry_new (home);
  g_autoptr(SeroWorkspaceRegistry) again = NULL;
  g_autoptr(JsonObject) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SeroRuntimeBackend host = SERO_RUNTIME_BACKEND_HOST;
  SeroWorkspace *first, *second, *configured, *same;

  g_assert_true (sero_workspace_registry_load (registry, &error));
  g_assert_no_error (error);
  g_assert_nonnull (sero_workspace_registry_lookup (registry, "global"));
  g_assert_cmpint (sero_workspace_get_backend (sero_workspace_registry_lookup (registry, "global")), ==,
                   SERO_RUNTIME_BACKEND_HOST);

  first = sero_workspace_registry_add (registry, a, "Web", NULL, &error);
  g_assert_no_error (error);
  second = sero_workspace_registry_add (registry, b, "Web", &host, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_workspace_get_id (first), ==, "web");
  g_assert_cmpstr (sero_workspace_get_id (second), ==, "web-2");
  g_assert_cmpint (sero_workspace_get_backend (second), ==, SERO_RUNTIME_BACKEND_HOST);

  /* A folder that already carries its config keeps its id and name. */
  write_config (with_config, "{\"id\": \"kept-id\", \"name\": \"Kept Name\"}");
  configured = sero_workspace_registry_add (registry, with_config, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_workspace_get_id (configured), ==, "kept-id");
  g_assert_cmpstr (sero_workspace_get_name (configured), ==, "Kept Name");

  /* Adding a registered folder again returns it. */
  same = sero_workspace_registry_add (registry, a, NULL, NULL, &error);
  g_assert_true (same == first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 4);

  g_assert_false (sero_workspace_registry_remove (registry, "global", &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_PROTECTED);
  g_clear_error (&error);
  g_assert_true (sero_workspace_registry_remove (registry, "web", &error));
  g_assert_true (g_file_test (a, G_FILE_TEST_IS_DIR));

  g_assert_true (sero_workspace_registry_set_open (registry, "web-2", FALSE, &error));

  /* The original's format: {"workspaces": [{id, path, open}]}, 2-space JSON. */
  saved = read_json (file);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (saved, "workspaces")), ==, 3);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\n  \"workspaces\" : [\n    {\n      \"id\" : \"global\""));

  again = sero_workspace_registry_new (home);
  g_assert_true (sero_workspace_registry_load (again, &error));
  g_assert_false (sero_workspace_get_open (sero_workspace_registry_lookup (again, "web-2")));
}

static void
test_registry_legacy_and_broken (void)
{
  g_autofree char *home = make_tmpdir ();
  g_autofree char *agent = g_build_filename (home, "agent", NULL);
  g_autofree char *file = g_build_filename (agent, "workspaces.json", NULL);
  g_autofree char *folder = make_tmpdir ();
  g_autofree char *legacy = g_strdup_printf ("{\"workspaces\": [{\"id\": \"old\", \"path\": \"%s\", \"autoOpen\": false}]}", folder);
  g_autoptr(SeroWorkspaceRegistry) registry = sero_workspace_registry_new (home);
  g_autoptr(SeroWorkspaceRegistry) broken = sero_workspace_registry_new (home);
  g_autoptr(JsonObject) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  JsonObject *entry;

  g_assert_cmpint (g_mkdir_with_parents (agent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, legacy, -1, NULL));
  g_assert_true (sero_workspace_registry_load (registry, &error));
  g_assert_false (sero_workspace_get_open (sero_workspace_registry_lookup (registry, "old")));
  saved = read_json (file);
  entry = json_array_get_object_element (json_object_get_array_member (saved, "workspaces"), 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, "old");
  g_assert_false (json_object_get_boolean_member (entry, "open"));

  g_assert_true (g_file_set_contents (file, "{\"workspaces\": [", -1, NULL));
  g_assert_false (sero_workspace_registry_load (broken, &error));
  g_assert_nonnull (strstr (error->message, file));
  g_assert_false (sero_workspace_registry_save (broken, NULL));
  g_assert_true (g_file_get_contents (file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "{\"workspaces\": [");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/workspace/id-rules", test_id_rules);
  g_test_add_func ("/sero/workspace/backend-compat", test_backend_compat);
  g_test_add_func ("/sero/workspace/global-defaults-to-host", test_global_defaults_to_host);
  g_test_add_func ("/sero/workspace/normalised-on-write", test_normalised_on_write);
  g_test_add_func ("/sero/workspace/broken-config-untouched", test_broken_config_untouched);
  g_test_add_func ("/sero/workspace/mounts", test_mounts);
  g_test_add_func ("/sero/workspace/mount-specs", test_mount_specs);
  g_test_add_func ("/sero/workspace/mount-specs-read-only-wins", test_mount_specs_read_only_wins);
  g_test_add_func ("/sero/workspace/image-choice", test_image_choice);
  g_test_add_func ("/sero/workspace/registry", test_registry);
  g_test_add_func ("/sero/workspace/registry-legacy-and-broken", test_registry_legacy_and_broken);

  return g_test_run ();
}
