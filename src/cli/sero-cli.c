/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-cli.h"

/* The headless half of the one `sero` executable. GTK is linked into the
 * same binary for the window, but nothing on this path initialises it, so
 * every subcommand runs with DISPLAY and WAYLAND_DISPLAY unset. */

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} SeroCliCommand;

static int sero_cli_help (int argc, char **argv);

static const SeroCliCommand commands[] = {
  { "paths",       sero_cli_paths,       N_("Print where the active profile keeps its state") },
  { "profile",     sero_cli_profile,     N_("List, create, switch, rename, remove or repair profiles") },
  { "diagnostics", sero_cli_diagnostics, N_("Print a report that is safe to paste into a bug report") },
  { "workspace",   sero_cli_workspace,   N_("List, add and remove workspaces; choose their runtime and mounts") },
  { "runtime",     sero_cli_runtime,     N_("Start, inspect, run commands in and remove workspace runtimes") },
  { "sessions",    sero_cli_sessions,    N_("List agent sessions and show their transcripts") },
  { "devserver",   sero_cli_devserver,   N_("Start, list, stop and restart dev servers") },
  { "gate",        sero_cli_gate,        N_("Check bash commands against the permission gate") },
  { "help",        sero_cli_help,        N_("List the commands") },
};

#define TOP_USAGE "sero [COMMAND [ARGUMENTS…]]  (run “sero help” for the commands)"

int
sero_cli_usage_error (const char *usage,
                      const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("sero: %s\n", message);
  g_printerr ("%s %s\n", _("Usage:"), usage);

  return SERO_CLI_EXIT_USAGE;
}

int
sero_cli_error (GError *error)
{
  g_printerr ("sero: %s\n", error->message);
  return SERO_CLI_EXIT_FAILURE;
}

/**
 * sero_cli_parse:
 *
 * Parses options with @context; on a bad option prints the one-line error
 * and the usage and sets @exit_code to 2.
 */
gboolean
sero_cli_parse (GOptionContext   *context,
                int              *argc,
                char           ***argv,
                const char       *usage,
                int              *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = sero_cli_usage_error (usage, "%s", error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_cli_context_init:
 *
 * Resolves the active profile, loads its workspaces and retries any queued
 * container removals (cheap when the queue is empty).
 */
gboolean
sero_cli_context_init (SeroCliContext  *context,
                       GError         **error)
{
  g_autoptr(GError) cleanup_error = NULL;

  memset (context, 0, sizeof *context);

  if (!(context->paths = sero_paths_resolve (error)) ||
      !sero_paths_apply_environment (context->paths, error))
    return FALSE;

  context->registry = sero_workspace_registry_new (sero_paths_get_home (context->paths));
  if (!sero_workspace_registry_load (context->registry, error))
    return FALSE;

  context->manager = sero_runtime_manager_new (context->paths);
  sero_runtime_manager_process_cleanup_sync (context->manager, NULL, &cleanup_error);
  if (cleanup_error != NULL)
    g_printerr ("sero: %s\n", cleanup_error->message);

  return TRUE;
}

void
sero_cli_context_clear (SeroCliContext *context)
{
  g_clear_object (&context->manager);
  g_clear_object (&context->registry);
  g_clear_object (&context->paths);
}

/**
 * sero_cli_context_lookup:
 *
 * Returns: (transfer none) (nullable): the workspace, or %NULL with an error
 *   that names it
 */
SeroWorkspace *
sero_cli_context_lookup (SeroCliContext  *context,
                         const char      *id,
                         GError         **error)
{
  SeroWorkspace *workspace = sero_workspace_registry_lookup (context->registry, id);

  if (workspace == NULL)
    g_set_error (error, SERO_WORKSPACE_ERROR, SERO_WORKSPACE_ERROR_NOT_FOUND,
                 "No workspace “%s”; “sero workspace list” shows them", id);

  return workspace;
}

static int
sero_cli_help (int    argc,
               char **argv)
{
  if (argc > 1)
    {
      /* `sero help profile` is `sero profile --help`. */
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          if (g_str_equal (commands[i].name, argv[1]) && commands[i].run != sero_cli_help)
            {
              char *sub_argv[] = { argv[1], (char *) "--help", NULL };
              return commands[i].run (2, sub_argv);
            }
        }

      return sero_cli_usage_error ("sero help [COMMAND]", "unknown command “%s”", argv[1]);
    }

  g_print ("%s\n  sero                 %s\n", _("Usage:"), _("Open the Sero window"));
  g_print ("  sero COMMAND …       %s\n\n", _("Run a command without a window"));
  g_print ("%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-20s %s\n", commands[i].name, _(commands[i].summary));
  g_print ("\n%s\n", _("Options:"));
  g_print ("  %-20s %s\n", "--version", _("Print the version"));
  g_print ("  %-20s %s\n", "--help", _("Print this help"));
  g_print ("\n%s\n", _("Run “sero help COMMAND” for the options of a command."));

  return SERO_CLI_EXIT_OK;
}

/**
 * sero_cli_run:
 * @argc: number of arguments after the program name
 * @argv: the arguments after the program name; argv[0] is the command
 *
 * Returns: the process exit status
 */
int
sero_cli_run (int    argc,
              char **argv)
{
  g_return_val_if_fail (argc > 0, SERO_CLI_EXIT_USAGE);

  if (g_str_equal (argv[0], "--version") || g_str_equal (argv[0], "-v"))
    {
      g_print ("sero %s\n", PACKAGE_VERSION);
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[0], "--help") || g_str_equal (argv[0], "-h"))
    return sero_cli_help (1, argv);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, argv[0]))
        return commands[i].run (argc, argv);
    }

  if (argv[0][0] == '-')
    return sero_cli_usage_error (TOP_USAGE, "unknown option “%s”", argv[0]);

  return sero_cli_usage_error (TOP_USAGE, "unknown command “%s”", argv[0]);
}
