/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero.h"
#include "sero-json-file.h"
#include "sero-runtime-oci.h"
#include "sero-workspace-registry.h"

/* references[] in .sero-workspace.json: other workspaces' ids, resolved
 * through the registry and mounted at their own absolute path. */

typedef struct
{
  char                  *home;
  char                  *a_path;
  char                  *b_path;
  SeroWorkspaceRegistry *registry;
  SeroWorkspace         *a;
  SeroWorkspace         *b;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  SeroRuntimeBackend docker = SERO_RUNTIME_BACKEND_DOCKER;
  g_autoptr(GError) error = NULL;

  fixture->home = g_dir_make_tmp ("sero-refs-home-XXXXXX", NULL);
  fixture->a_path = g_dir_make_tmp ("sero-refs-a-XXXXXX", NULL);
  fixture->b_path = g_dir_make_tmp ("sero-refs-b-XXXXXX", NULL);
  fixture->registry = sero_workspace_registry_new (fixture->home);
  g_assert_true (sero_workspace_registry_load (fixture->registry, &error));
  g_assert_no_error (error);
  fixture->a = sero_workspace_registry_add (fixture->registry, fixture->a_path, "Alpha", &docker, &error);
  g_assert_no_error (error);
  fixture->b = sero_workspace_registry_add (fixture->registry, fixture->b_path, "Beta", &docker, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->registry);
  g_free (fixture->home);
  g_free (fixture->a_path);
  g_free (fixture->b_path);
}

static void
test_add_remove_and_file_shape (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *file = sero_workspace_get_config_path (fixture->a);
  g_autoptr(SeroWorkspace) reread = NULL;
  JsonArray *references;

  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", FALSE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->a, "global", TRUE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sero_workspace_get_mount_count (fixture->a), ==, 2);
  g_assert_true (sero_workspace_save_config (fixture->a, &error));

  /* The original's shape: references is a list of ids. Read-only ones sit
   * in their own key, so the original still reads the file. */
  config = sero_json_file_load_object (file, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  references = json_object_get_array_member (config, "references");
  g_assert_cmpuint (json_array_get_length (references), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (references, 0), ==, "beta");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (config, "readOnlyReferences"), 0),
                   ==, "global");

  reread = sero_workspace_new ("alpha", fixture->a_path);
  g_assert_true (sero_workspace_load_config (reread, &error));
  g_assert_cmpstrv (sero_workspace_get_references (reread), ((const char *[]) { "beta", NULL }));
  g_assert_cmpstrv (sero_workspace_get_read_only_references (reread), ((const char *[]) { "global", NULL }));

  /* Changing the mode moves it rather than listing it twice. */
  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", TRUE, &error));
  g_assert_cmpstrv (sero_workspace_get_references (fixture->a), ((const char *[]) { NULL }));
  g_assert_cmpstrv (sero_workspace_get_read_only_references (fixture->a), ((const char *[]) { "global", "beta", NULL }));

  g_assert_true (sero_workspace_remove_reference (fixture->a, "beta", &error));
  g_assert_false (sero_workspace_remove_reference (fixture->a, "beta", &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Emptied read-only list: the key goes away again. */
  g_assert_true (sero_workspace_remove_reference (fixture->a, "global", &error));
  g_assert_true (sero_workspace_save_config (fixture->a, &error));
  g_clear_pointer (&config, json_object_unref);
  config = sero_json_file_load_object (file, SERO_JSON_FILE_NONE, &error);
  g_assert_false (json_object_has_member (config, "readOnlyReferences"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "references")), ==, 0);
}

static void
test_invalid_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sero_workspace_add_reference (fixture->a, "alpha", FALSE, &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "itself"));
  g_clear_error (&error);

  g_assert_false (sero_workspace_add_reference (fixture->a, "../etc", FALSE, &error));
  g_assert_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_INVALID);
  g_assert_cmpuint (sero_workspace_get_mount_count (fixture->a), ==, 0);
}

static void
test_resolved_through_registry (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) unknown = NULL;
  g_autoptr(SeroWorkspace) loose = sero_workspace_new ("loose", fixture->a_path);

  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", FALSE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->a, "ghost", FALSE, &error));

  paths = sero_workspace_dup_reference_paths (fixture->a, FALSE, &unknown);
  g_assert_cmpstrv (paths, ((const char *[]) { sero_workspace_get_path (fixture->b), NULL }));
  g_assert_cmpstrv (unknown, ((const char *[]) { "ghost", NULL }));

  /* Once beta leaves the registry, it is unknown too. */
  g_clear_pointer (&paths, g_strfreev);
  g_clear_pointer (&unknown, g_strfreev);
  g_assert_true (sero_workspace_registry_remove (fixture->registry, "beta", &error));
  paths = sero_workspace_dup_reference_paths (fixture->a, FALSE, &unknown);
  g_assert_cmpstrv (paths, ((const char *[]) { NULL }));
  g_assert_cmpstrv (unknown, ((const char *[]) { "beta", "ghost", NULL }));

  /* A workspace outside any registry knows no other. */
  g_clear_pointer (&paths, g_strfreev);
  g_clear_pointer (&unknown, g_strfreev);
  g_assert_true (sero_workspace_add_reference (loose, "beta", FALSE, &error));
  paths = sero_workspace_dup_reference_paths (loose, FALSE, &unknown);
  g_assert_cmpstrv (paths, ((const char *[]) { NULL }));
  g_assert_cmpstrv (unknown, ((const char *[]) { "beta", NULL }));
}

static void
test_mounts_and_signature (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_auto(GStrv) read_only = NULL;
  g_auto(GStrv) skipped = NULL;
  g_autofree char *sig_before = NULL;
  g_autofree char *sig_after = NULL;
  g_autofree char *sig_read_only = NULL;
  g_autofree char *b_rw = NULL;
  g_autofree char *b_ro = NULL;
  const char *b = sero_workspace_get_path (fixture->b);

  before = sero_runtime_build_mount_specs (fixture->a, NULL);
  sig_before = sero_runtime_mount_signature ((const char * const *) before);

  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", FALSE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->a, "ghost", TRUE, &error));
  after = sero_runtime_build_mount_specs (fixture->a, &skipped);
  sig_after = sero_runtime_mount_signature ((const char * const *) after);

  /* Writable at its own absolute path, like the original; the unknown id
   * is reported with the skipped mounts. */
  b_rw = g_strdup_printf ("%s:%s:rw", b, b);
  g_assert_true (g_strv_contains ((const char * const *) after, b_rw));
  g_assert_cmpuint (g_strv_length (after), ==, g_strv_length (before) + 1);
  g_assert_cmpstrv (skipped, ((const char *[]) { "workspace “ghost” (not registered)", NULL }));
  g_assert_cmpstr (sig_before, !=, sig_after);

  /* Read-only when asked, and that changes the signature again. */
  g_assert_true (sero_workspace_add_reference (fixture->a, "beta", TRUE, &error));
  read_only = sero_runtime_build_mount_specs (fixture->a, NULL);
  sig_read_only = sero_runtime_mount_signature ((const char * const *) read_only);
  b_ro = g_strdup_printf ("%s:%s:ro", b, b);
  g_assert_true (g_strv_contains ((const char * const *) read_only, b_ro));
  g_assert_false (g_strv_contains ((const char * const *) read_only, b_rw));
  g_assert_cmpstr (sig_read_only, !=, sig_after);

  /* A reference to a folder also mounted writable stays read-only: read-
   * only mounts come first and a folder is mounted once. */
  g_assert_true (sero_workspace_add_mount (fixture->a, b, FALSE, &error));
  g_clear_pointer (&read_only, g_strfreev);
  read_only = sero_runtime_build_mount_specs (fixture->a, NULL);
  g_assert_true (g_strv_contains ((const char * const *) read_only, b_ro));
  g_assert_false (g_strv_contains ((const char * const *) read_only, b_rw));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add ("/sero/workspace/references/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("add-remove-and-file-shape", test_add_remove_and_file_shape);
  ADD ("invalid-refused", test_invalid_refused);
  ADD ("resolved-through-registry", test_resolved_through_registry);
  ADD ("mounts-and-signature", test_mounts_and_signature);
#undef ADD

  return g_test_run ();
}
