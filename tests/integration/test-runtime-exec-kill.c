/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero.h"
#include "sero-runtime-oci.h"
#include "sero-test-support.h"

/* A cancelled or timed-out exec in a container must stop the process inside
 * the container, not just the host's `podman exec` client (issue 3; the
 * agent's bash tool relies on it). Real Podman, the tiny test image. */

static char *ui_root;

typedef struct
{
  char          *folder;
  char          *id;
  SeroWorkspace *workspace;
  SeroRuntime   *runtime;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("sero-kill-ws-XXXXXX", NULL);
  fixture->id = g_strdup_printf ("k-%.8s", suffix);
  fixture->workspace = sero_workspace_new (fixture->id, fixture->folder);
  fixture->runtime = sero_runtime_oci_new (fixture->workspace, ui_root);
  g_assert_true (sero_runtime_ensure_sync (fixture->runtime, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  sero_test_podman_rm_workspace (fixture->id);
  g_clear_object (&fixture->runtime);
  g_clear_object (&fixture->workspace);
  g_free (fixture->folder);
  g_free (fixture->id);
}

/* The command lines of the container's live processes (zombies, which
 * have none, left out), one per line. */
static char *
list_processes (SeroRuntime *runtime)
{
  const char *argv[] = {
    "sh", "-c",
    "for d in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $d/cmdline 2>/dev/null); [ -n \"$c\" ] && echo \"$c\"; done; true",
    NULL
  };
  SeroExecRequest request = { .argv = argv };
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroProcessResult) result = sero_runtime_exec_sync (runtime, &request, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 0);
  return g_steal_pointer (&result->stdout_text);
}

static gboolean
has_process (SeroRuntime *runtime,
             const char  *needle)
{
  g_autofree char *listing = list_processes (runtime);

  return strstr (listing, needle) != NULL;
}

static void
wait_for_process (SeroRuntime *runtime,
                  const char  *needle)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!has_process (runtime, needle))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

typedef struct
{
  GMainLoop         *loop;
  SeroProcessResult *result;
  GError            *error;
  gint64             finished;
} Exec;

static void
on_exec (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exec *exec = user_data;

  exec->result = sero_runtime_exec_finish (SERO_RUNTIME (object), result, &exec->error);
  exec->finished = g_get_monotonic_time ();
  g_main_loop_quit (exec->loop);
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_kills_inside (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  /* A child, and a grandchild in a session of its own, as a dev server or
   * a backgrounded build would be. */
  SeroExecRequest request = { .command = "setsid sleep 614 & sleep 611" };
  Exec exec = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };
  gint64 cancelled_at;

  g_timeout_add (200, cancel_now, cancellable);
  sero_runtime_exec_async (fixture->runtime, &request, cancellable, on_exec, &exec);
  g_main_loop_run (exec.loop);
  cancelled_at = g_get_monotonic_time ();
  g_main_loop_unref (exec.loop);

  g_assert_error (exec.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&exec.error);
  g_assert_null (exec.result);

  /* Gone within a second of the cancel, child and grandchild alike. */
  g_assert_false (has_process (fixture->runtime, "sleep 611"));
  g_assert_false (has_process (fixture->runtime, "sleep 614"));
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 2 * G_USEC_PER_SEC);
  g_test_message ("cancel completed and verified in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - cancelled_at) / 1000);
}

static void
test_cancel_after_start (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SeroExecRequest request = { .command = "sleep 612" };
  Exec exec = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };
  gint64 cancelled_at;

  /* Cancel only once the process is certainly running inside, so this test
   * fails if the cancel reaches the host-side client alone. */
  sero_runtime_exec_async (fixture->runtime, &request, cancellable, on_exec, &exec);
  wait_for_process (fixture->runtime, "sleep 612");
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_main_loop_run (exec.loop);
  g_main_loop_unref (exec.loop);

  g_assert_error (exec.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&exec.error);
  g_assert_cmpint (exec.finished - cancelled_at, <, G_USEC_PER_SEC);
  g_assert_false (has_process (fixture->runtime, "sleep 612"));
}

static void
test_timeout_kills_inside (Fixture       *fixture,
                           gconstpointer  data)
{
  SeroExecRequest request = { .command = "sleep 613 & sleep 615", .timeout_ms = 700 };
  Exec exec = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };
  g_autoptr(SeroProcessResult) sync_result = NULL;
  g_autoptr(GError) error = NULL;
  SeroExecRequest sync_request = { .command = "sleep 616", .timeout_ms = 700 };

  sero_runtime_exec_async (fixture->runtime, &request, NULL, on_exec, &exec);
  g_main_loop_run (exec.loop);
  g_main_loop_unref (exec.loop);

  g_assert_no_error (exec.error);
  g_assert_cmpint (exec.result->exit_status, ==, 124);
  g_assert_true (exec.result->timed_out);
  g_assert_nonnull (strstr (exec.result->stderr_text, "Command timed out after 1s."));
  sero_process_result_free (exec.result);
  g_assert_false (has_process (fixture->runtime, "sleep 613"));
  g_assert_false (has_process (fixture->runtime, "sleep 615"));

  /* The blocking variant does the same. */
  sync_result = sero_runtime_exec_sync (fixture->runtime, &sync_request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sync_result->exit_status, ==, 124);
  g_assert_false (has_process (fixture->runtime, "sleep 616"));
}

static void
test_finished_exec_leaves_others (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SeroExecRequest background = { .command = "sleep 617" };
  SeroExecRequest victim = { .command = "sleep 618" };
  Exec first = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };
  Exec second = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };
  g_autoptr(GCancellable) later = g_cancellable_new ();

  /* Two execs at once: cancelling one must not touch the other, which
   * carries a different tag. */
  sero_runtime_exec_async (fixture->runtime, &background, later, on_exec, &first);
  sero_runtime_exec_async (fixture->runtime, &victim, cancellable, on_exec, &second);
  wait_for_process (fixture->runtime, "sleep 617");
  wait_for_process (fixture->runtime, "sleep 618");
  g_cancellable_cancel (cancellable);
  g_main_loop_run (second.loop);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&second.error);

  g_assert_false (has_process (fixture->runtime, "sleep 618"));
  g_assert_true (has_process (fixture->runtime, "sleep 617"));

  g_cancellable_cancel (later);
  g_main_loop_run (first.loop);
  g_clear_error (&first.error);
  g_assert_false (has_process (fixture->runtime, "sleep 617"));
  g_main_loop_unref (first.loop);
  g_main_loop_unref (second.loop);
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
  ui_root = g_dir_make_tmp ("sero-kill-root-XXXXXX", NULL);
  g_setenv ("SERO_HOME_OVERRIDE", ui_root, TRUE);

#define ADD(name, func) g_test_add ("/sero/runtime/exec-kill/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("cancel-kills-inside", test_cancel_kills_inside);
  ADD ("cancel-after-start", test_cancel_after_start);
  ADD ("timeout-kills-inside", test_timeout_kills_inside);
  ADD ("only-its-own-processes", test_finished_exec_leaves_others);
#undef ADD

  ret = g_test_run ();
  g_free (ui_root);
  return ret;
}
