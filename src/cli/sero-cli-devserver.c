/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"
#include "sero-dev-server-registry.h"

#define USAGE \
  "sero devserver start ID [--name N] [--cwd DIR] -- CMD… | list [ID] [--json] | stop SERVER_ID | restart SERVER_ID"

/* Dev servers run in a workspace's runtime. The CLI keeps their records in
 * <agent>/dev-servers.json so a later `list`, `stop` or `restart` (another
 * process) finds them. */

static SeroRuntime *
runtime_for (SeroCliContext  *context,
             const char      *workspace_id,
             GError         **error)
{
  SeroWorkspace *workspace = sero_cli_context_lookup (context, workspace_id, error);

  if (workspace == NULL)
    return NULL;

  return sero_runtime_manager_ensure_sync (context->manager, workspace, NULL, error);
}

int
sero_cli_devserver (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_auto(SeroCliContext) context = { 0 };
  g_autoptr(SeroDevServerRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *records = NULL;
  g_autofree char *name = NULL;
  g_autofree char *cwd = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean json = FALSE;
  const char *verb;
  int exit_code;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("start: a name to show"), N_("NAME") },
    { "cwd", 0, 0, G_OPTION_ARG_STRING, &cwd, N_("start: working folder in the runtime"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  options = g_option_context_new ("start|list|stop|restart …");
  g_option_context_set_summary (options, _("Dev servers started in a workspace's runtime, found by the port they listen on."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (rest == NULL)
    return sero_cli_usage_error (USAGE, "“devserver” needs a subcommand");
  verb = rest[0];
  if (!g_strv_contains ((const char *[]) { "start", "list", "stop", "restart", NULL }, verb))
    return sero_cli_usage_error (USAGE, "unknown devserver subcommand “%s”", verb);

  if (!sero_cli_context_init (&context, &error))
    return sero_cli_error (error);
  records = g_build_filename (sero_paths_get_agent_dir (context.paths), "dev-servers.json", NULL);
  registry = sero_dev_server_registry_new (records);
  if (!sero_dev_server_registry_load (registry, &error))
    return sero_cli_error (error);

  if (g_str_equal (verb, "start"))
    {
      g_autofree char *command = NULL;
      SeroRuntime *runtime;
      SeroDevServer *server;

      if (rest[1] == NULL || rest[2] == NULL)
        return sero_cli_usage_error (USAGE, "“devserver start” needs a workspace ID and a command after “--”");
      command = g_strjoinv (" ", rest + 2);

      if (!(runtime = runtime_for (&context, rest[1], &error)) ||
          !(server = sero_dev_server_registry_start_sync (registry, runtime, name, cwd, command, NULL, &error)))
        return sero_cli_error (error);

      g_print ("%s\t%s\n", sero_dev_server_get_id (server), sero_dev_server_get_url (server));
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "stop") || g_str_equal (verb, "restart"))
    {
      SeroDevServer *server;
      SeroRuntime *runtime;

      if (rest[1] == NULL || rest[2] != NULL)
        return sero_cli_usage_error (USAGE, "“devserver %s” needs one SERVER_ID", verb);
      if (!(server = sero_dev_server_registry_lookup (registry, rest[1])))
        {
          g_printerr ("sero: no dev server “%s”; “sero devserver list” shows them\n", rest[1]);
          return SERO_CLI_EXIT_FAILURE;
        }
      if (!(runtime = runtime_for (&context, sero_dev_server_get_workspace_id (server), &error)))
        return sero_cli_error (error);

      if (g_str_equal (verb, "stop"))
        {
          if (!sero_dev_server_registry_stop_sync (registry, runtime, rest[1], &error))
            return sero_cli_error (error);
          return SERO_CLI_EXIT_OK;
        }

      if (!(server = sero_dev_server_registry_restart_sync (registry, runtime, rest[1], &error)))
        return sero_cli_error (error);
      g_print ("%s\t%s\n", sero_dev_server_get_id (server), sero_dev_server_get_url (server));
      return SERO_CLI_EXIT_OK;
    }

  /* list [ID]: check liveness in each workspace that has servers. */
  {
    GListModel *model = G_LIST_MODEL (registry);
    g_autoptr(GHashTable) checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(JsonBuilder) b = json_builder_new ();

    if (rest[1] != NULL && !sero_cli_context_lookup (&context, rest[1], &error))
      return sero_cli_error (error);

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(SeroDevServer) server = g_list_model_get_item (model, i);
        const char *ws = sero_dev_server_get_workspace_id (server);
        SeroWorkspace *workspace;

        if ((rest[1] != NULL && !g_str_equal (ws, rest[1])) || g_hash_table_contains (checked, ws))
          continue;
        g_hash_table_add (checked, g_strdup (ws));
        if ((workspace = sero_workspace_registry_lookup (context.registry, ws)))
          {
            SeroRuntime *runtime = sero_runtime_manager_get_runtime (context.manager, workspace);

            sero_runtime_refresh_sync (runtime, NULL, NULL);
            sero_dev_server_registry_refresh_sync (registry, runtime);
          }
      }

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "servers");
    json_builder_begin_array (b);
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(SeroDevServer) server = g_list_model_get_item (model, i);

        if (rest[1] != NULL && !g_str_equal (sero_dev_server_get_workspace_id (server), rest[1]))
          continue;

        if (!json)
          {
            g_print ("%s\t%s\t%s\t%s\n", sero_dev_server_get_id (server), sero_dev_server_get_status (server),
                     sero_dev_server_get_url (server), sero_dev_server_get_command (server));
            continue;
          }

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "id");
        json_builder_add_string_value (b, sero_dev_server_get_id (server));
        json_builder_set_member_name (b, "workspaceId");
        json_builder_add_string_value (b, sero_dev_server_get_workspace_id (server));
        json_builder_set_member_name (b, "port");
        json_builder_add_int_value (b, sero_dev_server_get_port (server));
        json_builder_set_member_name (b, "url");
        json_builder_add_string_value (b, sero_dev_server_get_url (server));
        json_builder_set_member_name (b, "status");
        json_builder_add_string_value (b, sero_dev_server_get_status (server));
        json_builder_set_member_name (b, "command");
        json_builder_add_string_value (b, sero_dev_server_get_command (server));
        json_builder_end_object (b);
      }
    json_builder_end_array (b);
    json_builder_end_object (b);

    if (json)
      {
        g_autoptr(JsonNode) root = json_builder_get_root (b);
        g_autofree char *text = sero_json_to_string (root);

        g_print ("%s", text);
      }
    return SERO_CLI_EXIT_OK;
  }
}
