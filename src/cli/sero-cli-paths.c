/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"

#define USAGE "sero paths [--json]"

/* `sero paths`: the state path map of the active profile, one
 * `name<TAB>path` line each, or one JSON object with --json. */
int
sero_cli_paths (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const SeroPathEntry *map;
  guint n_entries;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Print where the active profile keeps its state."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (context, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (argc > 1)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", argv[1]);

  if (!(paths = sero_paths_resolve (&error)))
    return sero_cli_error (error);

  map = sero_path_map (&n_entries);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      for (guint i = 0; i < n_entries; i++)
        {
          g_autofree char *path = sero_paths_build_entry (paths, &map[i]);

          json_builder_set_member_name (builder, map[i].name);
          json_builder_add_string_value (builder, path);
        }
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      text = sero_json_to_string (root);
      g_print ("%s", text);
      return SERO_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n_entries; i++)
    {
      g_autofree char *path = sero_paths_build_entry (paths, &map[i]);

      g_print ("%s\t%s\n", map[i].name, path);
    }

  return SERO_CLI_EXIT_OK;
}
