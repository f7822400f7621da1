/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/wait.h>

#include "sero-test-support.h"

void
sero_test_run_clear (SeroTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/**
 * sero_test_run_sero_valist:
 * @env_changes: (nullable): `NAME=VALUE` sets a variable, a bare `NAME`
 *   removes it; applied after DISPLAY and WAYLAND_DISPLAY are removed
 *
 * Runs `$SERO_EXE FIRST_ARG…` headless, waits, and keeps its output.
 */
void
sero_test_run_sero_valist (SeroTestRun        *run,
                           const char * const *env_changes,
                           const char         *first_arg,
                           va_list             args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (g_getenv ("SERO_EXE"));
  g_ptr_array_add (argv, (char *) g_getenv ("SERO_EXE"));
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  for (guint i = 0; env_changes != NULL && env_changes[i] != NULL; i++)
    {
      const char *equals = strchr (env_changes[i], '=');

      if (equals == NULL)
        env = g_environ_unsetenv (env, env_changes[i]);
      else
        {
          g_autofree char *name = g_strndup (env_changes[i], equals - env_changes[i]);

          env = g_environ_setenv (env, name, equals + 1, TRUE);
        }
    }

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (run->status) ? WEXITSTATUS (run->status) : -1;
}

void
sero_test_run_sero (SeroTestRun        *run,
                    const char * const *env_changes,
                    const char         *first_arg,
                    ...)
{
  va_list args;

  va_start (args, first_arg);
  sero_test_run_sero_valist (run, env_changes, first_arg, args);
  va_end (args);
}

/* Parses @text, which must be one JSON object. */
JsonObject *
sero_test_parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

/* Builds SERO_TEST_IMAGE with Podman once per process (the script itself
 * is idempotent and fast). Fails the test when Podman is missing. */
void
sero_test_build_image (void)
{
  static gboolean built;
  g_autofree char *podman = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (built)
    return;

  podman = g_find_program_in_path ("podman");
  g_assert_nonnull (podman);
  script = g_build_filename (g_getenv ("SERO_SOURCE_ROOT"), "tests", "fixtures", "build-test-image.sh", NULL);
  g_spawn_sync (NULL, (char *[]) { script, podman, (char *) SERO_TEST_IMAGE, NULL }, NULL,
                G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  built = TRUE;
}

/* Removes the workspace's container `sero-<id>` at once if it exists;
 * quiet when it does not. */
void
sero_test_podman_rm_workspace (const char *workspace_id)
{
  g_autofree char *container = g_strdup_printf ("sero-%s", workspace_id);

  g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "rm", (char *) "-f", (char *) "-t", (char *) "0",
                                   container, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
}
