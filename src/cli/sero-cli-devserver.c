/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"
#include "sero-dev-server-registry.h"

/* `sero devserver …` starts, lists, stops and restarts dev servers in a
 * workspace's runtime.
 *
 * Each command is its own short-lived process, so it cannot own a server
 * the way the app does: `start` leaves the server running detached (never
 * reaped) and writes its record to <SERO_HOME>/agent/dev-servers.json,
 * which later commands and the window read. The record says what was
 * started; whether it still runs is asked of the runtime every time. `stop`
 * also accepts the id of a server with no record (one the app started):
 * whatever listens on that id's port in that workspace is stopped. */

#define USAGE \
  "sero devserver start ID [--name N] [--cwd DIR] -- CMD… | list [ID] [--json] | stop SERVER_ID | " \
  "restart SERVER_ID"

static void
print_server (SeroDevServer *server)
{
  g_print ("%s\t%s\t%s\t%s\n",
           sero_dev_server_get_id (server),
           sero_dev_server_status_to_string (sero_dev_server_get_status (server)),
           sero_dev_server_get_url (server),
           sero_dev_server_get_name (server));
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static int
devserver_list (SeroCliContext        *context,
                SeroDevServerRegistry *registry,
                const char            *workspace_id,
                gboolean               json)
{
  GListModel *model = G_LIST_MODEL (registry);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  guint n;

  if (workspace_id != NULL && !sero_cli_context_lookup (context, workspace_id, &error))
    return sero_cli_error (error);

  /* Never start a container just to list: a runtime that does not answer
   * has nothing listening, and its servers show as stopped. */
  sero_dev_server_registry_refresh_sync (registry, NULL);

  n = g_list_model_get_n_items (model);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "servers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroDevServer) server = g_list_model_get_item (model, i);

      if (workspace_id != NULL && !g_str_equal (sero_dev_server_get_workspace_id (server), workspace_id))
        continue;

      if (!json)
        {
          print_server (server);
          continue;
        }

      json_builder_begin_object (builder);
      add_string_member (builder, "id", sero_dev_server_get_id (server));
      add_string_member (builder, "workspaceId", sero_dev_server_get_workspace_id (server));
      add_string_member (builder, "name", sero_dev_server_get_name (server));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, sero_dev_server_get_port (server));
      add_string_member (builder, "url", sero_dev_server_get_url (server));
      add_string_member (builder, "command", sero_dev_server_get_command (server));
      add_string_member (builder, "cwd", sero_dev_server_get_cwd (server));
      add_string_member (builder, "scope", sero_dev_server_get_scope (server));
      add_string_member (builder, "cardId", sero_dev_server_get_card_id (server));
      add_string_member (builder, "status", sero_dev_server_status_to_string (sero_dev_server_get_status (server)));
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, sero_dev_server_get_pid (server));
      add_string_member (builder, "registeredAt", sero_dev_server_get_registered_at (server));
      add_string_member (builder, "log", sero_dev_server_get_log_path (server));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = sero_json_to_string (root);

      g_print ("%s", text);
    }

  return SERO_CLI_EXIT_OK;
}

/* One word is a shell command line as typed (`-- "npm run dev"`); several
 * are an argv, quoted so each reaches the program as it was given. */
static char *
command_line_from_argv (char **words)
{
  g_autoptr(GString) line = NULL;

  if (words[1] == NULL)
    return g_strdup (words[0]);

  line = g_string_new (NULL);
  for (guint i = 0; words[i]; i++)
    {
      g_autofree char *quoted = g_shell_quote (words[i]);

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, quoted);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static int
devserver_start (SeroCliContext        *context,
                 SeroDevServerRegistry *registry,
                 const char            *workspace_id,
                 char                 **command,
                 const char            *name,
                 const char            *cwd)
{
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = command_line_from_argv (command);
  g_autofree char *fallback = NULL;
  SeroWorkspace *workspace;
  SeroRuntime *runtime;
  SeroDevServerRequest request = { .command = line, .name = name, .cwd = cwd };

  if (!(workspace = sero_cli_context_lookup (context, workspace_id, &error)) ||
      !(runtime = sero_runtime_manager_ensure_sync (context->manager, workspace, NULL, &error)))
    return sero_cli_error (error);

  if ((fallback = sero_runtime_manager_dup_fallback_reason (context->manager, workspace)) != NULL)
    g_printerr (_("sero: %s runs on the host: %s\n"), workspace_id, fallback);

  if (!(server = sero_dev_server_registry_start_sync (registry, runtime, &request, NULL, &error)))
    return sero_cli_error (error);

  g_print ("%s\t%s\n", sero_dev_server_get_id (server), sero_dev_server_get_url (server));
  return SERO_CLI_EXIT_OK;
}

/* stop and restart run in the server's runtime, so a stopped container is
 * started first; a restart needs it anyway, and a stop then finds the
 * server gone and drops its record. */
static gboolean
ensure_runtime_of (SeroCliContext  *context,
                   const char      *server_id,
                   GError         **error)
{
  g_autofree char *workspace_id = NULL;
  SeroWorkspace *workspace;

  if (!sero_dev_server_parse_id (server_id, &workspace_id, NULL, NULL, NULL))
    {
      g_set_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NOT_FOUND,
                   "“%s” is not a dev server id (WORKSPACE:SCOPE:CARD:PORT); “sero devserver list” shows them",
                   server_id);
      return FALSE;
    }

  if (!(workspace = sero_cli_context_lookup (context, workspace_id, error)))
    return FALSE;

  return sero_runtime_manager_ensure_sync (context->manager, workspace, NULL, error) != NULL;
}

int
sero_cli_devserver (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_auto(SeroCliContext) context = { 0 };
  g_autoptr(SeroDevServerRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *cwd = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean json = FALSE;
  const char *verb;
  int exit_code;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("start: what to call the server"), N_("NAME") },
    { "cwd", 0, 0, G_OPTION_ARG_STRING, &cwd, N_("start: working folder inside the runtime (default /workspace)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  options = g_option_context_new ("start|list|stop|restart …");
  g_option_context_set_summary (options, _("Dev servers run detached in a workspace's runtime and are found by the "
                                           "port they listen on. Servers started here keep running after the "
                                           "command exits."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  /* Everything not an option, in order; "--" ends the options of start. */
  if (rest == NULL || rest[0] == NULL)
    return sero_cli_usage_error (USAGE, "“devserver” needs a subcommand");
  verb = rest[0];
  if (!g_strv_contains ((const char * const[]) { "start", "list", "stop", "restart", NULL }, verb))
    return sero_cli_usage_error (USAGE, "unknown devserver subcommand “%s”", verb);

  if (g_str_equal (verb, "start") && (rest[1] == NULL || rest[2] == NULL))
    return sero_cli_usage_error (USAGE, "“devserver start” needs a workspace ID and a command after “--”");
  if (g_str_equal (verb, "list") && rest[1] != NULL && rest[2] != NULL)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", rest[2]);
  if ((g_str_equal (verb, "stop") || g_str_equal (verb, "restart")) && (rest[1] == NULL || rest[2] != NULL))
    return sero_cli_usage_error (USAGE, "“devserver %s” needs one SERVER_ID", verb);
  if (!g_str_equal (verb, "start") && (name != NULL || cwd != NULL))
    return sero_cli_usage_error (USAGE, "--name and --cwd are options of “devserver start”");
  if (!g_str_equal (verb, "list") && json)
    return sero_cli_usage_error (USAGE, "--json is an option of “devserver list”");

  if (!sero_cli_context_init (&context, &error))
    return sero_cli_error (error);

  registry = sero_dev_server_registry_new_for_paths (context.paths, SERO_DEV_SERVER_REGISTRY_DETACHED);
  g_object_set (registry, "liveness-interval", 0, NULL);
  sero_dev_server_registry_set_runtime_manager (registry, context.manager, context.registry);

  /* Any `sero` run is a next start after a crash of the app: its host
   * servers with no owner left are stopped here too. Cheap when there are
   * no records. */
  sero_dev_server_registry_reap_orphans (registry);

  if (!sero_dev_server_registry_load (registry, &error))
    return sero_cli_error (error);

  if (g_str_equal (verb, "list"))
    return devserver_list (&context, registry, rest[1], json);

  if (g_str_equal (verb, "start"))
    return devserver_start (&context, registry, rest[1], rest + 2, name, cwd);

  if (!ensure_runtime_of (&context, rest[1], &error))
    return sero_cli_error (error);

  if (g_str_equal (verb, "stop"))
    {
      if (!sero_dev_server_registry_stop_sync (registry, rest[1], NULL, &error))
        return sero_cli_error (error);
      return SERO_CLI_EXIT_OK;
    }

  {
    g_autoptr(SeroDevServer) server = NULL;

    if (!(server = sero_dev_server_registry_restart_sync (registry, rest[1], NULL, &error)))
      return sero_cli_error (error);

    g_print ("%s\t%s\n", sero_dev_server_get_id (server), sero_dev_server_get_url (server));
    return SERO_CLI_EXIT_OK;
  }
}
