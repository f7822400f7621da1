/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero.h"
#include "sero-runtime-oci.h"
#include "sero-workspace-registry.h"
#include "sero-test-support.h"

/* Workspace references against real Podman: another workspace's folder is
 * visible at its own absolute path, writable or read-only as asked, an
 * unknown id is skipped and reported, and a change recreates the container
 * (deferred while a terminal is open). */

static char *ui_root;

typedef struct
{
  char                  *home;
  char                  *paths[3];
  SeroWorkspaceRegistry *registry;
  SeroWorkspace         *main_ws;
  SeroWorkspace         *shared;
  SeroWorkspace         *library;
  SeroRuntime           *runtime;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  SeroRuntimeBackend docker = SERO_RUNTIME_BACKEND_DOCKER;
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *main_name = g_strdup_printf ("r-%.8s", suffix);
  g_autoptr(GError) error = NULL;

  fixture->home = g_dir_make_tmp ("sero-refs-home-XXXXXX", NULL);
  for (guint i = 0; i < 3; i++)
    fixture->paths[i] = g_dir_make_tmp ("sero-refs-ws-XXXXXX", NULL);
  fixture->registry = sero_workspace_registry_new (fixture->home);
  g_assert_true (sero_workspace_registry_load (fixture->registry, &error));
  fixture->main_ws = sero_workspace_registry_add (fixture->registry, fixture->paths[0], main_name, &docker, &error);
  fixture->shared = sero_workspace_registry_add (fixture->registry, fixture->paths[1], "Shared", &docker, &error);
  fixture->library = sero_workspace_registry_add (fixture->registry, fixture->paths[2], "Library", &docker, &error);
  g_assert_no_error (error);
  fixture->runtime = sero_runtime_oci_new (fixture->main_ws, ui_root);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  sero_test_podman_rm_workspace (sero_workspace_get_id (fixture->main_ws));
  g_clear_object (&fixture->runtime);
  g_clear_object (&fixture->registry);
  g_free (fixture->home);
  for (guint i = 0; i < 3; i++)
    g_free (fixture->paths[i]);
}

static SeroProcessResult *
run_in (SeroRuntime *runtime,
        const char  *command)
{
  g_autoptr(GError) error = NULL;
  SeroExecRequest request = { .command = command };
  SeroProcessResult *result = sero_runtime_exec_sync (runtime, &request, NULL, &error);

  g_assert_no_error (error);
  return result;
}

static char *
container_id (Fixture *fixture)
{
  g_autofree char *name = g_strdup_printf ("sero-%s", sero_workspace_get_id (fixture->main_ws));
  g_autofree char *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "inspect", (char *) "--format",
                                                  (char *) "{{.Id}}", name, NULL },
                               NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, NULL, NULL));
  return g_strdup (g_strstrip (out));
}

static void
test_references_mounted (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *shared = sero_workspace_get_path (fixture->shared);
  const char *library = sero_workspace_get_path (fixture->library);
  g_autofree char *book = g_build_filename (library, "book.txt", NULL);
  g_autofree char *note = g_build_filename (shared, "note.txt", NULL);
  g_autofree char *read_book = g_strdup_printf ("cat %s/book.txt", library);
  g_autofree char *write_library = g_strdup_printf ("echo scribble > %s/margin.txt", library);
  g_autofree char *write_shared = g_strdup_printf ("echo from-main > %s/note.txt", shared);
  g_autofree char *landed = NULL;
  g_autofree char *message = NULL;
  g_autofree char *margin = g_build_filename (library, "margin.txt", NULL);
  g_autoptr(SeroProcessResult) r1 = NULL, r2 = NULL, r3 = NULL;

  g_assert_true (g_file_set_contents (book, "chapter one", -1, NULL));
  g_assert_true (sero_workspace_add_reference (fixture->main_ws, sero_workspace_get_id (fixture->shared), FALSE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->main_ws, sero_workspace_get_id (fixture->library), TRUE, &error));
  g_assert_true (sero_workspace_add_reference (fixture->main_ws, "ghost-workspace", FALSE, &error));
  g_assert_true (sero_workspace_save_config (fixture->main_ws, &error));

  g_assert_true (sero_runtime_ensure_sync (fixture->runtime, NULL, &error));
  g_assert_no_error (error);

  /* The read-only reference is visible at its own path, and read-only. */
  r1 = run_in (fixture->runtime, read_book);
  g_assert_cmpint (r1->exit_status, ==, 0);
  g_assert_cmpstr (r1->stdout_text, ==, "chapter one");
  r2 = run_in (fixture->runtime, write_library);
  g_assert_cmpint (r2->exit_status, !=, 0);
  g_assert_nonnull (strstr (r2->stderr_text, "Read-only"));
  g_assert_false (g_file_test (margin, G_FILE_TEST_EXISTS));

  /* The writable one writes through to the other workspace's folder. */
  r3 = run_in (fixture->runtime, write_shared);
  g_assert_cmpint (r3->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (note, &landed, NULL, NULL));
  g_assert_cmpstr (landed, ==, "from-main\n");

  /* The unknown id is skipped and said. */
  message = sero_runtime_dup_status_message (fixture->runtime);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "ghost-workspace"));
}

static void
test_reference_change_recreates_or_defers (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL, *third = NULL;
  g_autofree char *look = g_strdup_printf ("test -d %s", sero_workspace_get_path (fixture->library));
  g_autoptr(SeroProcessResult) before = NULL, after = NULL;

  g_assert_true (sero_runtime_ensure_sync (fixture->runtime, NULL, &error));
  first = container_id (fixture);
  before = run_in (fixture->runtime, look);
  g_assert_cmpint (before->exit_status, !=, 0);

  /* A terminal is open: the new reference waits, and the status says so. */
  sero_runtime_hold_terminal (fixture->runtime);
  g_assert_true (sero_workspace_add_reference (fixture->main_ws, sero_workspace_get_id (fixture->library), TRUE, &error));
  g_assert_true (sero_runtime_ensure_sync (fixture->runtime, NULL, &error));
  g_assert_true (sero_runtime_get_recreate_deferred (fixture->runtime));
  second = container_id (fixture);
  g_assert_cmpstr (first, ==, second);

  /* Closed: the next ensure recreates, and the folder is there. */
  sero_runtime_release_terminal (fixture->runtime);
  g_assert_true (sero_runtime_ensure_sync (fixture->runtime, NULL, &error));
  g_assert_false (sero_runtime_get_recreate_deferred (fixture->runtime));
  third = container_id (fixture);
  g_assert_cmpstr (first, !=, third);
  after = run_in (fixture->runtime, look);
  g_assert_cmpint (after->exit_status, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  sero_test_build_image ();
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  ui_root = g_dir_make_tmp ("sero-refs-root-XXXXXX", NULL);
  g_setenv ("SERO_HOME_OVERRIDE", ui_root, TRUE);

#define ADD(name, func) g_test_add ("/sero/runtime/references/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("mounted", test_references_mounted);
  ADD ("change-recreates-or-defers", test_reference_change_recreates_or_defers);
#undef ADD

  ret = g_test_run ();
  g_free (ui_root);
  return ret;
}
