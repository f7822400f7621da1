/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"

/* `sero profile …` edits ~/.sero-ui/profiles.json. Unlike the app, switching
 * here only changes the active id: the next `sero` run (window or command)
 * uses the new profile. */

#define USAGE \
  "sero profile list [--json] | create NAME [--path DIR] [--copy-credentials-from PROFILE] | " \
  "switch PROFILE | rename PROFILE NAME | remove PROFILE [--delete-files] | adopt PATH [--name NAME] | repair"

static SeroProfileRegistry *
open_registry (GError **error)
{
  g_autofree char *root = sero_paths_get_ui_root ();
  g_autoptr(SeroProfileRegistry) registry = sero_profile_registry_new (root);

  if (!sero_profile_registry_load (registry, error))
    return NULL;

  return g_steal_pointer (&registry);
}

static int
profile_list (SeroProfileRegistry *registry,
              gboolean             json)
{
  g_auto(GStrv) found = sero_profile_registry_discover (registry);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (registry));
  const char *active_id = sero_profile_registry_get_active_id (registry);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "activeProfileId");
      if (active_id)
        json_builder_add_string_value (builder, active_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "profiles");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SeroProfile) profile = g_list_model_get_item (G_LIST_MODEL (registry), i);
          g_autoptr(JsonObject) object = sero_profile_to_json (profile);
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          json_node_set_object (node, object);
          json_builder_add_value (builder, g_steal_pointer (&node));
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "foundOnDisk");
      json_builder_begin_array (builder);
      for (guint i = 0; found[i]; i++)
        json_builder_add_string_value (builder, found[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      text = sero_json_to_string (root);
      g_print ("%s", text);
      return SERO_CLI_EXIT_OK;
    }

  if (n == 0)
    g_print ("%s\n", _("No profiles yet. The first run of Sero creates one at the default location."));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroProfile) profile = g_list_model_get_item (G_LIST_MODEL (registry), i);
      gboolean active = g_strcmp0 (sero_profile_get_id (profile), active_id) == 0;

      g_print ("%s %s\t%s\t%s\t%s%s\n",
               active ? "*" : " ",
               sero_profile_get_id (profile),
               sero_profile_get_name (profile),
               sero_profile_get_path (profile),
               sero_folder_provenance_to_string (sero_profile_get_folder_provenance (profile)),
               sero_profile_get_onboarded (profile) ? "" : "\tnot onboarded");
    }

  if (found[0] != NULL)
    {
      g_print ("\n%s\n", _("Found on disk but not registered (add with “sero profile adopt PATH”):"));
      for (guint i = 0; found[i]; i++)
        g_print ("  %s\n", found[i]);
    }

  return SERO_CLI_EXIT_OK;
}

static int
expect_args (int          argc,
             char       **argv,
             int          wanted,
             const char  *what)
{
  if (argc < wanted)
    return sero_cli_usage_error (USAGE, "“profile %s” needs %s", argv[0], what);
  if (argc > wanted)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", argv[wanted]);
  return SERO_CLI_EXIT_OK;
}

int
sero_cli_profile (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SeroProfileRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *custom_path = NULL;
  g_autofree char *copy_from = NULL;
  g_autofree char *name = NULL;
  gboolean delete_files = FALSE;
  gboolean json = FALSE;
  const char *verb;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { "path", 0, 0, G_OPTION_ARG_FILENAME, &custom_path, N_("create: use this folder"), N_("DIR") },
    { "copy-credentials-from", 0, 0, G_OPTION_ARG_STRING, &copy_from,
      N_("create: copy credentials and model files from this profile"), N_("PROFILE") },
    { "delete-files", 0, 0, G_OPTION_ARG_NONE, &delete_files,
      N_("remove: also delete the folder (Sero-managed folders only)"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("adopt: display name"), N_("NAME") },
    { NULL }
  };

  context = g_option_context_new ("list|create|switch|rename|remove|adopt|repair …");
  g_option_context_set_summary (context,
                                _("Manage profiles: each profile is a folder with its own credentials, "
                                  "workspaces and sessions. PROFILE is an id or a unique name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (context, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (argc < 2)
    return sero_cli_usage_error (USAGE, "“profile” needs a subcommand");

  verb = argv[1];
  argc--;
  argv++;

  if (g_str_equal (verb, "repair"))
    {
      g_autofree char *root = sero_paths_get_ui_root ();
      g_autofree char *moved = NULL;

      if ((exit_code = expect_args (argc, argv, 1, "no arguments")))
        return exit_code;

      registry = sero_profile_registry_new (root);
      if (!(moved = sero_profile_registry_repair (registry, &error)))
        return sero_cli_error (error);

      g_print (_("Moved the broken registry to %s.\n"), moved);
      g_print ("%s\n", _("Run “sero profile list” to see profile folders found on disk."));
      return SERO_CLI_EXIT_OK;
    }

  if (!(registry = open_registry (&error)))
    return sero_cli_error (error);

  if (g_str_equal (verb, "list"))
    {
      if ((exit_code = expect_args (argc, argv, 1, "no arguments")))
        return exit_code;
      return profile_list (registry, json);
    }

  if (g_str_equal (verb, "create"))
    {
      SeroProfile *source = NULL;
      SeroProfile *profile;

      if ((exit_code = expect_args (argc, argv, 2, "a NAME")))
        return exit_code;

      if (copy_from != NULL && !(source = sero_profile_registry_lookup (registry, copy_from)))
        return sero_cli_usage_error (USAGE, "no profile “%s” to copy credentials from", copy_from);

      if (!(profile = sero_profile_registry_create (registry, argv[1], custom_path, source, &error)))
        return sero_cli_error (error);

      g_print ("%s\t%s\n", sero_profile_get_id (profile), sero_profile_get_path (profile));
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "switch"))
    {
      SeroProfile *profile;

      if ((exit_code = expect_args (argc, argv, 2, "a PROFILE")))
        return exit_code;

      if (!sero_profile_registry_set_active (registry, argv[1], &error))
        return sero_cli_error (error);

      profile = sero_profile_registry_get_active (registry);
      g_print (_("Active profile: %s (%s)\n"), sero_profile_get_name (profile), sero_profile_get_path (profile));
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "rename"))
    {
      if ((exit_code = expect_args (argc, argv, 3, "a PROFILE and a NAME")))
        return exit_code;

      if (!sero_profile_registry_rename (registry, argv[1], argv[2], &error))
        return sero_cli_error (error);
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "remove"))
    {
      SeroProfile *profile;
      g_autoptr(SeroPaths) paths = NULL;
      g_autoptr(SeroRuntimeManager) manager = NULL;
      g_autoptr(JsonObject) workspaces = NULL;
      g_autofree char *home = NULL;
      g_autofree char *workspaces_file = NULL;

      if ((exit_code = expect_args (argc, argv, 2, "a PROFILE")))
        return exit_code;

      if (!(profile = sero_profile_registry_lookup (registry, argv[1])))
        return sero_cli_usage_error (USAGE, "no profile “%s”", argv[1]);
      home = g_strdup (sero_profile_get_path (profile));

      /* Read its workspaces first: --delete-files erases the list. */
      workspaces_file = g_build_filename (home, "agent", "workspaces.json", NULL);
      workspaces = sero_json_file_load_object (workspaces_file, SERO_JSON_FILE_NONE, NULL);

      if (!sero_profile_registry_remove (registry, argv[1], delete_files, &error))
        return sero_cli_error (error);

      /* Its workspaces' containers go too, through the durable queue. The
       * manager runs as the active profile: the removed one's registry (kept
       * when its files are) would make every entry look registered again. */
      if (!(paths = sero_paths_resolve (&error)))
        return sero_cli_error (error);
      manager = sero_runtime_manager_new (paths);
      if (!sero_runtime_manager_queue_profile_removal (manager, workspaces, &error))
        g_printerr ("sero: %s\n", error->message);
      else
        sero_runtime_manager_process_cleanup_sync (manager, NULL, NULL);
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "adopt"))
    {
      SeroProfile *profile;

      if ((exit_code = expect_args (argc, argv, 2, "a PATH")))
        return exit_code;

      if (!(profile = sero_profile_registry_adopt (registry, argv[1], name, &error)))
        return sero_cli_error (error);

      g_print ("%s\t%s\n", sero_profile_get_id (profile), sero_profile_get_path (profile));
      return SERO_CLI_EXIT_OK;
    }

  return sero_cli_usage_error (USAGE, "unknown profile subcommand “%s”", verb);
}
