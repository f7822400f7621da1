/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "sero-app.h"
#include "sero-cli.h"
#include "sero-preview-app.h"

/* One executable: with no arguments it opens the window; with a command it
 * runs headless and never initialises GTK, so it works over ssh and in CI. */
int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The one command with a window: it checks its address before GTK
   * starts, so a refused one fails just as fast as the CLI's commands. */
  if (argc > 1 && g_strcmp0 (argv[1], "preview") == 0)
    return sero_preview_app_run (argc - 1, argv + 1);

  if (argc > 1)
    return sero_cli_run (argc - 1, argv + 1);

  return sero_app_run (argc, argv);
}
