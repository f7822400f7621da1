/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"
#include "sero-runtime-oci.h"

#define USAGE \
  "sero runtime status ID [--json] | ensure ID | exec ID [--cwd DIR] [--timeout SECONDS] -- CMD [ARG…] | " \
  "destroy ID | build-image [--image REF]"

static const char *
status_for_host (SeroWorkspace *workspace)
{
  return sero_workspace_get_backend (workspace) == SERO_RUNTIME_BACKEND_HOST
         ? "disabled for this workspace" : NULL;
}

/* Desired vs actual runtime and why (the original users could not tell
 * "disabled" from "not installed" from "failed to start"). */
static int
runtime_status (SeroCliContext *context,
                SeroWorkspace  *workspace,
                gboolean        json)
{
  SeroRuntime *runtime = sero_runtime_manager_get_runtime (context->manager, workspace);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *reason = NULL;
  const char *actual = "host";
  const char *engine = NULL;

  if (sero_runtime_is_container (runtime))
    {
      if (SERO_IS_RUNTIME_OCI (runtime))
        engine = sero_runtime_oci_get_engine_name (SERO_RUNTIME_OCI (runtime));

      if (!sero_runtime_refresh_sync (runtime, NULL, &error))
        {
          g_autofree char *kind = NULL;

          if (g_error_matches (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED))
            kind = g_strdup ("not installed");
          else if (g_error_matches (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING))
            kind = g_strdup ("system not running");
          else
            kind = g_strdup ("failed to start");
          reason = g_strdup_printf ("%s: %s", kind, error->message);
        }
      else if (sero_runtime_get_status (runtime) == SERO_RUNTIME_STATUS_RUNNING)
        actual = sero_runtime_backend_to_string (sero_workspace_get_backend (workspace));
      else
        reason = g_strdup ("container not started yet (it starts on first use)");
    }
  else
    reason = g_strdup (status_for_host (workspace));

  message = sero_runtime_dup_status_message (runtime);
  ip = sero_runtime_dup_ip_address (runtime);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

#define MEMBER_STRING(name, value) G_STMT_START { \
        json_builder_set_member_name (b, name); \
        if (value) json_builder_add_string_value (b, value); else json_builder_add_null_value (b); \
      } G_STMT_END
      json_builder_begin_object (b);
      MEMBER_STRING ("workspace", sero_workspace_get_id (workspace));
      MEMBER_STRING ("desired", sero_runtime_backend_to_string (sero_workspace_get_backend (workspace)));
      MEMBER_STRING ("actual", actual);
      MEMBER_STRING ("reason", reason);
      MEMBER_STRING ("engine", engine);
      MEMBER_STRING ("container", sero_runtime_get_container_name (runtime));
      MEMBER_STRING ("status", sero_runtime_status_to_string (sero_runtime_get_status (runtime)));
      MEMBER_STRING ("message", message);
      MEMBER_STRING ("ip", ip);
      json_builder_set_member_name (b, "recreateDeferred");
      json_builder_add_boolean_value (b, sero_runtime_get_recreate_deferred (runtime));
      json_builder_end_object (b);
#undef MEMBER_STRING

      root = json_builder_get_root (b);
      text = sero_json_to_string (root);
      g_print ("%s", text);
      return SERO_CLI_EXIT_OK;
    }

  g_print ("workspace\t%s\n", sero_workspace_get_id (workspace));
  g_print ("desired\t%s\n", sero_runtime_backend_to_string (sero_workspace_get_backend (workspace)));
  g_print ("actual\t%s%s%s\n", actual, reason ? " — " : "", reason ? reason : "");
  if (engine)
    g_print ("engine\t%s\n", engine);
  if (sero_runtime_get_container_name (runtime))
    g_print ("container\t%s\n", sero_runtime_get_container_name (runtime));
  g_print ("status\t%s\n", sero_runtime_status_to_string (sero_runtime_get_status (runtime)));
  if (message)
    g_print ("message\t%s\n", message);
  if (ip)
    g_print ("ip\t%s\n", ip);
  if (sero_runtime_get_recreate_deferred (runtime))
    g_print ("recreate\tdeferred\n");

  return SERO_CLI_EXIT_OK;
}

static SeroRuntime *
ensure (SeroCliContext  *context,
        SeroWorkspace   *workspace,
        GError         **error)
{
  SeroRuntime *runtime = sero_runtime_manager_ensure_sync (context->manager, workspace, NULL, error);
  g_autofree char *reason = NULL;

  if (runtime != NULL && (reason = sero_runtime_manager_dup_fallback_reason (context->manager, workspace)))
    g_printerr (_("sero: %s runs on the host (%s)\n"), sero_workspace_get_id (workspace), reason);

  return runtime;
}

/* The engine's own words for "that container is not there or not running",
 * which send exec through ensure() once. */
static gboolean
needs_ensure (const SeroProcessResult *result)
{
  g_autofree char *lower = NULL;

  if (result->exit_status != 125 && result->exit_status != 126 && result->exit_status != 1)
    return FALSE;

  lower = g_ascii_strdown (result->stderr_text, -1);
  return strstr (lower, "no such container") != NULL ||
         strstr (lower, "is not running") != NULL ||
         strstr (lower, "state improper") != NULL ||
         strstr (lower, "container state") != NULL;
}

/* exec is the hot path (every agent tool call): run straight away in the
 * workspace's runtime and only go through ensure() when the container is
 * missing or stopped, instead of inspecting it first every time. */
static int
runtime_exec (SeroCliContext  *context,
              SeroWorkspace   *workspace,
              const char      *cwd,
              int              timeout_seconds,
              char           **command)
{
  SeroRuntime *runtime = sero_runtime_manager_get_runtime (context->manager, workspace);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SeroExecRequest request = {
    .argv = (const char * const *) command,
    .cwd = cwd,
    .timeout_ms = timeout_seconds > 0 ? (guint) timeout_seconds * 1000 : 0,
  };

  if (sero_runtime_is_container (runtime))
    {
      result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
      if (result == NULL && !g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) &&
          error->domain != SERO_RUNTIME_ERROR)
        return sero_cli_error (error);
      if (result == NULL && g_error_matches (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID))
        return sero_cli_error (error);
    }

  if (result == NULL || (sero_runtime_is_container (runtime) && needs_ensure (result)))
    {
      g_clear_pointer (&result, sero_process_result_free);
      g_clear_error (&error);

      if (!(runtime = ensure (context, workspace, &error)) ||
          !(result = sero_runtime_exec_sync (runtime, &request, NULL, &error)))
        return sero_cli_error (error);
    }

  fputs (result->stdout_text, stdout);
  fputs (result->stderr_text, stderr);
  if (result->timed_out)
    fputc ('\n', stderr);
  if (result->truncated)
    g_printerr (_("sero: output was cut at 10 MiB\n"));

  return result->exit_status;
}

static char *
images_dir (void)
{
  const char *from_env = g_getenv ("SERO_IMAGES_DIR");

  if (from_env != NULL && from_env[0] != '\0')
    return g_strdup (from_env);

  /* Running from the build folder: the source tree's images. */
  if (g_file_test (SERO_SOURCE_IMAGES_DIR, G_FILE_TEST_IS_DIR))
    return g_strdup (SERO_SOURCE_IMAGES_DIR);

  return g_strdup (SERO_IMAGES_DIR);
}

int
sero_cli_runtime (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_auto(SeroCliContext) context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *image = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean json = FALSE;
  int timeout = 0;
  SeroWorkspace *workspace;
  const char *verb;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("status: print JSON"), NULL },
    { "cwd", 0, 0, G_OPTION_ARG_STRING, &cwd, N_("exec: working folder inside the runtime"), N_("DIR") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("exec: seconds before the command is killed (default 120)"), N_("SECONDS") },
    { "image", 0, 0, G_OPTION_ARG_STRING, &image, N_("build-image: the image to build"), N_("REF") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  options = g_option_context_new ("status|ensure|exec|destroy|build-image …");
  g_option_context_set_summary (options, _("A workspace's runtime is the container sero-<ID> (Podman, Docker or "
                                           "Apple container) or the host. It starts on first use."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  /* Everything not an option, in order; "--" ends the options of exec. */
  if (rest == NULL || rest[0] == NULL)
    return sero_cli_usage_error (USAGE, "“runtime” needs a subcommand");
  verb = rest[0];

  if (g_str_equal (verb, "build-image"))
    {
      g_autofree char *dir = images_dir ();
      const char *ref = image ? image : g_getenv ("SERO_NODE_IMAGE");

      if (rest[1] != NULL)
        return sero_cli_usage_error (USAGE, "unexpected argument “%s”", rest[1]);
      if (ref == NULL || ref[0] == '\0')
        ref = "sero-node:latest";

      g_printerr (_("Building %s from %s/Containerfile.sero-node …\n"), ref, dir);
      if (!sero_runtime_build_image (dir, ref, &error))
        return sero_cli_error (error);
      g_print ("%s\n", ref);
      return SERO_CLI_EXIT_OK;
    }

  if (!g_strv_contains ((const char *[]) { "status", "ensure", "exec", "destroy", NULL }, verb))
    return sero_cli_usage_error (USAGE, "unknown runtime subcommand “%s”", verb);
  if (rest[1] == NULL)
    return sero_cli_usage_error (USAGE, "“runtime %s” needs a workspace ID", verb);
  if (!g_str_equal (verb, "exec") && rest[2] != NULL)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", rest[2]);

  if (!sero_cli_context_init (&context, &error))
    return sero_cli_error (error);
  if (!(workspace = sero_cli_context_lookup (&context, rest[1], &error)))
    return sero_cli_error (error);

  if (g_str_equal (verb, "status"))
    return runtime_status (&context, workspace, json);

  if (g_str_equal (verb, "ensure"))
    {
      SeroRuntime *runtime = ensure (&context, workspace, &error);
      g_autofree char *ip = NULL;

      if (runtime == NULL)
        return sero_cli_error (error);

      ip = sero_runtime_dup_ip_address (runtime);
      g_print ("%s\t%s%s%s\n",
               sero_runtime_get_container_name (runtime) ? sero_runtime_get_container_name (runtime) : "host",
               sero_runtime_status_to_string (sero_runtime_get_status (runtime)),
               ip ? "\t" : "", ip ? ip : "");
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "destroy"))
    {
      SeroRuntime *runtime = sero_runtime_manager_get_runtime (context.manager, workspace);

      if (!sero_runtime_destroy_sync (runtime, NULL, &error))
        return sero_cli_error (error);
      return SERO_CLI_EXIT_OK;
    }

  /* exec ID [--] CMD… */
  if (rest[2] == NULL)
    return sero_cli_usage_error (USAGE, "“runtime exec” needs a command after “--”");
  if (timeout < 0)
    return sero_cli_usage_error (USAGE, "--timeout must be a positive number of seconds");

  return runtime_exec (&context, workspace, cwd, timeout, rest + 2);
}
