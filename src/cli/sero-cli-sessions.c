/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"
#include "sero-session-file.h"

#define USAGE "sero sessions list [--workspace ID] [--json] | show ID"

/* Agent sessions are pi JSONL files in <agent>/sessions, matched to
 * workspaces by the folder in their header. */

static void
print_text_blocks (JsonNode *content)
{
  if (json_node_get_value_type (content) == G_TYPE_STRING)
    {
      g_print ("%s\n", json_node_get_string (content));
      return;
    }

  if (!JSON_NODE_HOLDS_ARRAY (content))
    return;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (content), i);
      JsonObject *block;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      type = json_object_get_string_member_with_default (block, "type", "");

      if (g_str_equal (type, "text"))
        g_print ("%s\n", json_object_get_string_member_with_default (block, "text", ""));
      else if (g_str_equal (type, "thinking"))
        g_print ("(thinking) %s\n", json_object_get_string_member_with_default (block, "thinking", ""));
      else if (g_str_equal (type, "toolCall"))
        {
          JsonNode *args = json_object_get_member (block, "arguments");
          g_autofree char *text = args ? json_to_string (args, FALSE) : g_strdup ("{}");

          g_print ("→ %s %s\n", json_object_get_string_member_with_default (block, "name", "?"), text);
        }
      else if (g_str_equal (type, "image"))
        g_print ("[image %s]\n", json_object_get_string_member_with_default (block, "mimeType", ""));
    }
}

static int
sessions_show (const char *sessions_dir,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroSessionFile) session = sero_session_find (sessions_dir, id, &error);
  g_autoptr(GPtrArray) branch = NULL;
  g_autofree char *title = NULL;

  if (session == NULL)
    return sero_cli_error (error);

  title = sero_session_file_dup_title (session);
  g_print ("# %s\n%s · %s\n\n", title, sero_session_file_get_id (session), sero_session_file_get_cwd (session));

  branch = sero_session_file_get_branch (session);
  for (guint i = 0; i < branch->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (branch, i);
      const char *type = json_object_get_string_member_with_default (entry, "type", "");

      if (g_str_equal (type, "message") && json_object_has_member (entry, "message") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "message")))
        {
          JsonObject *message = json_object_get_object_member (entry, "message");
          const char *role = json_object_get_string_member_with_default (message, "role", "?");
          JsonNode *content = json_object_get_member (message, "content");

          if (g_str_equal (role, "toolResult"))
            g_print ("[%s%s]\n", json_object_get_string_member_with_default (message, "toolName", "tool"),
                     json_object_get_boolean_member_with_default (message, "isError", FALSE) ? ", error" : "");
          else
            g_print ("[%s]\n", role);
          if (content != NULL)
            print_text_blocks (content);
          g_print ("\n");
        }
      else if (g_str_equal (type, "model_change"))
        g_print ("[model %s/%s]\n\n", json_object_get_string_member_with_default (entry, "provider", "?"),
                 json_object_get_string_member_with_default (entry, "modelId", "?"));
    }

  return SERO_CLI_EXIT_OK;
}

int
sero_cli_sessions (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_auto(SeroCliContext) context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autofree char *sessions_dir = NULL;
  g_autofree char *workspace_id = NULL;
  gboolean json = FALSE;
  const char *cwd = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "workspace", 0, 0, G_OPTION_ARG_STRING, &workspace_id, N_("list: only this workspace's sessions"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { NULL }
  };

  options = g_option_context_new ("list|show …");
  g_option_context_set_summary (options, _("Agent sessions, stored in pi's JSONL format."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (argc < 2 || !(g_str_equal (argv[1], "list") || g_str_equal (argv[1], "show")))
    return sero_cli_usage_error (USAGE, argc < 2 ? "“sessions” needs a subcommand"
                                                 : "unknown sessions subcommand “%s”", argv[argc < 2 ? 0 : 1]);

  if (!sero_cli_context_init (&context, &error))
    return sero_cli_error (error);
  sessions_dir = sero_paths_lookup (context.paths, "sessions");

  if (g_str_equal (argv[1], "show"))
    {
      if (argc != 3)
        return sero_cli_usage_error (USAGE, "“sessions show” needs one session ID");
      return sessions_show (sessions_dir, argv[2]);
    }

  if (argc != 2)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", argv[2]);

  if (workspace_id != NULL)
    {
      SeroWorkspace *workspace = sero_cli_context_lookup (&context, workspace_id, &error);

      if (workspace == NULL)
        return sero_cli_error (error);
      cwd = sero_workspace_get_path (workspace);
    }

  sessions = sero_session_list (sessions_dir, cwd, &error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint i = 0; i < sessions->len; i++)
        {
          SeroSessionFile *session = g_ptr_array_index (sessions, i);
          g_autofree char *title = sero_session_file_dup_title (session);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, sero_session_file_get_id (session));
          json_builder_set_member_name (b, "title");
          json_builder_add_string_value (b, title);
          json_builder_set_member_name (b, "cwd");
          json_builder_add_string_value (b, sero_session_file_get_cwd (session));
          json_builder_set_member_name (b, "timestamp");
          json_builder_add_string_value (b, sero_session_file_get_timestamp (session));
          json_builder_set_member_name (b, "entries");
          json_builder_add_int_value (b, sero_session_file_get_n_entries (session));
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, sero_session_file_get_path (session));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);

      root = json_builder_get_root (b);
      text = sero_json_to_string (root);
      g_print ("%s", text);
      return SERO_CLI_EXIT_OK;
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      SeroSessionFile *session = g_ptr_array_index (sessions, i);
      g_autofree char *title = sero_session_file_dup_title (session);

      g_print ("%s\t%s\t%s\t%s\n", sero_session_file_get_id (session), sero_session_file_get_timestamp (session),
               title, sero_session_file_get_cwd (session));
    }

  return SERO_CLI_EXIT_OK;
}
