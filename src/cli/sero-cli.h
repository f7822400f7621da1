/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sero-paths.h"
#include "sero-runtime-manager.h"
#include "sero-workspace-registry.h"

G_BEGIN_DECLS

/* Exit codes shared by every subcommand. Subcommands may define more
 * (the gate uses 3 and 4) but 2 always means "bad usage". */
#define SERO_CLI_EXIT_OK      0
#define SERO_CLI_EXIT_FAILURE 1
#define SERO_CLI_EXIT_USAGE   2

int  sero_cli_run             (int          argc,
                               char       **argv);
int  sero_cli_usage_error     (const char  *usage,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);
int  sero_cli_error           (GError      *error);
gboolean sero_cli_parse       (GOptionContext *context,
                               int           *argc,
                               char        ***argv,
                               const char    *usage,
                               int           *exit_code);

/* What the workspace, runtime and dev-server commands share: the active
 * profile, its workspaces and the runtime manager. */
typedef struct
{
  SeroPaths             *paths;
  SeroWorkspaceRegistry *registry;
  SeroRuntimeManager    *manager;
} SeroCliContext;

gboolean sero_cli_context_init  (SeroCliContext  *context,
                                 GError         **error);
void     sero_cli_context_clear (SeroCliContext  *context);
SeroWorkspace *sero_cli_context_lookup (SeroCliContext  *context,
                                        const char      *id,
                                        GError         **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeroCliContext, sero_cli_context_clear)

/* One entry point per subcommand group, each in its own file. */
int  sero_cli_paths           (int argc, char **argv);
int  sero_cli_profile         (int argc, char **argv);
int  sero_cli_diagnostics     (int argc, char **argv);
int  sero_cli_gate            (int argc, char **argv);
int  sero_cli_devserver       (int argc, char **argv);
int  sero_cli_workspace       (int argc, char **argv);
int  sero_cli_runtime         (int argc, char **argv);
int  sero_cli_sessions        (int argc, char **argv);

G_END_DECLS
