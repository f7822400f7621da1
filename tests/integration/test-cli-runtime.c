/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-test-support.h"

/* `sero workspace …` and `sero runtime …` as a script would use them: the
 * built binary, headless, against real Podman and the tiny test image. */


static char *home;
static char *no_engine_path;

static void
run_sero_env (SeroTestRun *run,
              const char  *path_override,
              const char  *first,
              ...)
{
  g_autofree char *home_var = g_strconcat ("SERO_HOME_OVERRIDE=", home, NULL);
  g_autofree char *path_var = path_override ? g_strconcat ("PATH=", path_override, NULL) : NULL;
  const char *env[] = { home_var, "SERO_NODE_IMAGE=" SERO_TEST_IMAGE, "SERO_CONTAINER_ENGINE=podman", path_var, NULL };
  va_list args;

  va_start (args, first);
  sero_test_run_sero_valist (run, env, first, args);
  va_end (args);
}

#define run_sero(run, ...) run_sero_env (run, NULL, __VA_ARGS__)

static char *
add_workspace (const char *name)
{
  g_auto(SeroTestRun) run = { 0 };
  g_autofree char *folder = g_dir_make_tmp ("sero-cli-ws-XXXXXX", NULL);
  g_auto(GStrv) fields = NULL;

  run_sero (&run, "workspace", "add", folder, "--name", name, NULL);
  g_assert_cmpint (run.status, ==, 0);
  fields = g_strsplit (g_strstrip (run.out), "\t", 2);
  g_assert_cmpstr (fields[1], ==, folder);
  return g_strdup (fields[0]);
}

static void
test_workspace_commands (void)
{
  g_auto(SeroTestRun) list = { 0 };
  g_auto(SeroTestRun) set = { 0 };
  g_auto(SeroTestRun) mount = { 0 };
  g_auto(SeroTestRun) bad = { 0 };
  g_auto(SeroTestRun) remove = { 0 };
  g_auto(SeroTestRun) global = { 0 };
  g_autofree char *id = add_workspace ("CLI Alpha");
  g_autoptr(JsonObject) object = NULL;
  JsonArray *workspaces;
  gboolean found = FALSE;

  g_assert_cmpstr (id, ==, "cli-alpha");

  run_sero (&set, "workspace", "set-runtime", id, "host", NULL);
  g_assert_cmpint (set.status, ==, 0);
  run_sero (&mount, "workspace", "mount", "add", id, "/srv/sero-shared", "--read-only", NULL);
  g_assert_cmpint (mount.status, ==, 0);
  g_assert_nonnull (strstr (mount.err, "does not exist yet"));

  run_sero (&list, "workspace", "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  object = sero_test_parse_object (list.out);
  workspaces = json_object_get_array_member (object, "workspaces");
  for (guint i = 0; i < json_array_get_length (workspaces); i++)
    {
      JsonObject *ws = json_array_get_object_element (workspaces, i);

      if (g_str_equal (json_object_get_string_member (ws, "id"), id))
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (ws, "runtime"), ==, "host");
          g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (ws, "readOnlyMounts"), 0),
                           ==, "/srv/sero-shared");
        }
    }
  g_assert_true (found);

  run_sero (&bad, "workspace", "set-runtime", id, "kubernetes", NULL);
  g_assert_cmpint (bad.status, ==, 2);

  run_sero (&global, "workspace", "remove", "global", NULL);
  g_assert_cmpint (global.status, ==, 1);
  g_assert_nonnull (strstr (global.err, "global workspace cannot be removed"));

  run_sero (&remove, "workspace", "remove", id, NULL);
  g_assert_cmpint (remove.status, ==, 0);
}

static void
test_runtime_exec_and_status (void)
{
  g_autofree char *id = add_workspace ("CLI Beta");
  g_auto(SeroTestRun) exec = { 0 };
  g_auto(SeroTestRun) failing = { 0 };
  g_auto(SeroTestRun) timed = { 0 };
  g_auto(SeroTestRun) status = { 0 };
  g_auto(SeroTestRun) usage = { 0 };
  g_auto(SeroTestRun) unknown = { 0 };
  g_autoptr(JsonObject) object = NULL;

  /* The first exec starts the container lazily. */
  run_sero (&exec, "runtime", "exec", id, "--", "sh", "-c", "cat /etc/profile.d/sero-env.sh | grep -c HOST=", NULL);
  g_assert_cmpint (exec.status, ==, 0);
  g_assert_cmpstr (exec.out, ==, "2\n");

  run_sero (&failing, "runtime", "exec", id, "--cwd", "/tmp", "--", "sh", "-c", "pwd; exit 3", NULL);
  g_assert_cmpint (failing.status, ==, 3);
  g_assert_cmpstr (failing.out, ==, "/tmp\n");

  run_sero (&timed, "runtime", "exec", id, "--timeout", "1", "--", "sleep", "20", NULL);
  g_assert_cmpint (timed.status, ==, 124);
  g_assert_nonnull (strstr (timed.err, "Command timed out after 1s."));

  run_sero (&status, "runtime", "status", id, "--json", NULL);
  g_assert_cmpint (status.status, ==, 0);
  object = sero_test_parse_object (status.out);
  g_assert_cmpstr (json_object_get_string_member (object, "desired"), ==, "docker");
  g_assert_cmpstr (json_object_get_string_member (object, "actual"), ==, "docker");
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (object, "engine"), ==, "podman");
  g_assert_nonnull (json_object_get_string_member (object, "ip"));

  run_sero (&usage, "runtime", "exec", id, NULL);
  g_assert_cmpint (usage.status, ==, 2);
  run_sero (&unknown, "runtime", "status", "no-such-workspace", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "No workspace “no-such-workspace”"));

  sero_test_podman_rm_workspace (id);
}

static void
test_host_fallback_reported (void)
{
  g_autofree char *id = add_workspace ("CLI Gamma");
  g_auto(SeroTestRun) ensure = { 0 };
  g_auto(SeroTestRun) exec = { 0 };
  g_auto(SeroTestRun) status = { 0 };
  g_autoptr(JsonObject) object = NULL;

  run_sero_env (&ensure, no_engine_path, "runtime", "ensure", id, NULL);
  g_assert_cmpint (ensure.status, ==, 0);
  g_assert_nonnull (strstr (ensure.err, "runs on the host (not installed"));

  run_sero_env (&exec, no_engine_path, "runtime", "exec", id, "--", "/bin/sh", "-c", "echo on-host", NULL);
  g_assert_cmpint (exec.status, ==, 0);
  g_assert_cmpstr (exec.out, ==, "on-host\n");

  run_sero_env (&status, no_engine_path, "runtime", "status", id, "--json", NULL);
  object = sero_test_parse_object (status.out);
  g_assert_cmpstr (json_object_get_string_member (object, "desired"), ==, "docker");
  g_assert_cmpstr (json_object_get_string_member (object, "actual"), ==, "host");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "reason"), "not installed"));
}

static void
test_remove_deletes_container (void)
{
  g_autofree char *id = add_workspace ("CLI Delta");
  g_autofree char *name = g_strdup_printf ("sero-%s", id);
  g_auto(SeroTestRun) ensure = { 0 };
  g_auto(SeroTestRun) remove = { 0 };
  g_autofree char *out = NULL;

  run_sero (&ensure, "runtime", "ensure", id, NULL);
  g_assert_cmpint (ensure.status, ==, 0);
  g_assert_true (g_str_has_prefix (ensure.out, name));

  run_sero (&remove, "workspace", "remove", id, NULL);
  g_assert_cmpint (remove.status, ==, 0);

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "ps", (char *) "-a",
                                                  (char *) "--format", (char *) "{{.Names}}", NULL },
                               NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL));
  g_assert_null (strstr (out, name));
}

/* Without an override, so the profile registry is used: removing a profile
 * removes the containers of its workspaces. */
static void
run_in_home (SeroTestRun *run,
             const char  *user_home,
             const char  *first,
             ...)
{
  g_autofree char *home_var = g_strconcat ("HOME=", user_home, NULL);
  const char *env[] = { "SERO_HOME_OVERRIDE", home_var, "SERO_NODE_IMAGE=" SERO_TEST_IMAGE,
                        "SERO_CONTAINER_ENGINE=podman", NULL };
  va_list args;

  va_start (args, first);
  sero_test_run_sero_valist (run, env, first, args);
  va_end (args);
}

static void
test_profile_removal_deletes_containers (void)
{
  g_autofree char *user_home = g_dir_make_tmp ("sero-cli-profiles-XXXXXX", NULL);
  g_autofree char *folder = g_dir_make_tmp ("sero-cli-ws-XXXXXX", NULL);
  g_auto(SeroTestRun) r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 }, r5 = { 0 }, r6 = { 0 }, r7 = { 0 };
  g_autofree char *out = NULL;

  run_in_home (&r1, user_home, "profile", "create", "Main", NULL);
  run_in_home (&r2, user_home, "profile", "create", "Side", NULL);
  run_in_home (&r3, user_home, "profile", "switch", "Side", NULL);
  run_in_home (&r4, user_home, "workspace", "add", folder, "--name", "Side Project", NULL);
  run_in_home (&r5, user_home, "runtime", "ensure", "side-project", NULL);
  g_assert_cmpint (r5.status, ==, 0);
  g_assert_true (g_str_has_prefix (r5.out, "sero-side-project\trunning"));
  run_in_home (&r6, user_home, "profile", "switch", "Main", NULL);
  run_in_home (&r7, user_home, "profile", "remove", "Side", NULL);
  g_assert_cmpint (r7.status, ==, 0);

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "ps", (char *) "-a",
                                                  (char *) "--format", (char *) "{{.Names}}", NULL },
                               NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL));
  g_assert_null (strstr (out, "sero-side-project"));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  sero_test_build_image ();

  home = g_dir_make_tmp ("sero-cli-rt-home-XXXXXX", NULL);
  /* Enough for /bin/sh to run on the host, and no engine. */
  no_engine_path = g_dir_make_tmp ("sero-cli-rt-bin-XXXXXX", NULL);

  g_test_add_func ("/sero/cli/workspace-commands", test_workspace_commands);
  g_test_add_func ("/sero/cli/runtime-exec-and-status", test_runtime_exec_and_status);
  g_test_add_func ("/sero/cli/host-fallback-reported", test_host_fallback_reported);
  g_test_add_func ("/sero/cli/remove-deletes-container", test_remove_deletes_container);
  g_test_add_func ("/sero/cli/profile-removal-deletes-containers", test_profile_removal_deletes_containers);

  ret = g_test_run ();
  g_free (home);
  g_free (no_engine_path);
  return ret;
}
