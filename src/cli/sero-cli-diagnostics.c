/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"

#define USAGE "sero diagnostics"

/* `sero diagnostics` must work exactly when something is wrong, so a broken
 * profile registry is reported in the text instead of stopping the report. */
int
sero_cli_diagnostics (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  int exit_code;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Print versions, platform, the state path map and the modes of the "
                                  "state files. The report never contains a secret."));
  if (!sero_cli_parse (context, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (argc > 1)
    return sero_cli_usage_error (USAGE, "unexpected argument “%s”", argv[1]);

  if (!(paths = sero_paths_resolve (&error)))
    {
      g_autofree char *root = sero_paths_get_ui_root ();
      g_autofree char *clean = sero_redact (error->message);

      g_print ("Profile registry problem: %s\n\n", clean);
      paths = sero_paths_new_for_home (root, SERO_HOME_SOURCE_FRESH);
    }

  report = sero_diagnostics_report (paths);
  g_print ("%s", report);

  return SERO_CLI_EXIT_OK;
}
