/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-app"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "sero-app.h"
#include "sero-application.h"

/* Relaunch after a profile switch: the new process resolves SERO_HOME from
 * the registry again. Variables the old profile's .env put into our
 * environment are dropped first, or the new profile would inherit them. */
static void
relaunch (SeroApplication  *app,
          char            **argv)
{
  const char * const *loaded = sero_paths_get_loaded_env_keys (sero_application_get_paths (app));
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *from_path = NULL;
  const char *program = self_exe;

  for (guint i = 0; loaded != NULL && loaded[i]; i++)
    g_unsetenv (loaded[i]);

  if (program == NULL)
    program = from_path = g_find_program_in_path (argv[0]);
  if (program == NULL)
    program = argv[0];

  execv (program, argv);
  g_critical ("Could not relaunch %s: %s", program, g_strerror (errno));
}

int
sero_app_run (int    argc,
              char **argv)
{
  g_autoptr(SeroApplication) app = sero_application_new ();
  int status;

  status = g_application_run (G_APPLICATION (app), argc, argv);

  if (sero_application_get_relaunch_requested (app))
    relaunch (app, argv);

  return status;
}
