/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-runtime-manager.h"

G_BEGIN_DECLS

/**
 * SeroTerminalState:
 * @SERO_TERMINAL_STATE_IDLE: not started yet
 * @SERO_TERMINAL_STATE_STARTING: the runtime is being ensured, or the shell spawned
 * @SERO_TERMINAL_STATE_RUNNING: the shell is running
 * @SERO_TERMINAL_STATE_EXITED: the shell ended; its output stays, Restart respawns it
 * @SERO_TERMINAL_STATE_FAILED: the runtime or the shell could not be started
 */
typedef enum
{
  SERO_TERMINAL_STATE_IDLE,
  SERO_TERMINAL_STATE_STARTING,
  SERO_TERMINAL_STATE_RUNNING,
  SERO_TERMINAL_STATE_EXITED,
  SERO_TERMINAL_STATE_FAILED,
} SeroTerminalState;

/**
 * SeroTerminalRuntimeKind:
 * @SERO_TERMINAL_RUNTIME_NONE: no shell has been spawned yet
 * @SERO_TERMINAL_RUNTIME_HOST: the shell runs on this computer
 * @SERO_TERMINAL_RUNTIME_CONTAINER: the shell runs in the workspace's container
 */
typedef enum
{
  SERO_TERMINAL_RUNTIME_NONE,
  SERO_TERMINAL_RUNTIME_HOST,
  SERO_TERMINAL_RUNTIME_CONTAINER,
} SeroTerminalRuntimeKind;

#define SERO_TYPE_TERMINAL_STATE        (sero_terminal_state_get_type ())
#define SERO_TYPE_TERMINAL_RUNTIME_KIND (sero_terminal_runtime_kind_get_type ())
#define SERO_TYPE_TERMINAL              (sero_terminal_get_type ())

GType sero_terminal_state_get_type        (void);
GType sero_terminal_runtime_kind_get_type (void);

G_DECLARE_FINAL_TYPE (SeroTerminal, sero_terminal, SERO, TERMINAL, GtkWidget)

SeroTerminal            *sero_terminal_new                 (SeroRuntimeManager *manager,
                                                            SeroWorkspace      *workspace);
void                     sero_terminal_start               (SeroTerminal       *self);
void                     sero_terminal_restart             (SeroTerminal       *self);
SeroWorkspace           *sero_terminal_get_workspace       (SeroTerminal       *self);
SeroRuntime             *sero_terminal_get_runtime         (SeroTerminal       *self);
const char              *sero_terminal_get_title           (SeroTerminal       *self);
SeroTerminalState        sero_terminal_get_state           (SeroTerminal       *self);
SeroTerminalRuntimeKind  sero_terminal_get_runtime_kind    (SeroTerminal       *self);
gboolean                 sero_terminal_get_is_container    (SeroTerminal       *self);
const char              *sero_terminal_get_fallback_reason (SeroTerminal       *self);
gboolean                 sero_terminal_get_exited          (SeroTerminal       *self);
int                      sero_terminal_get_exit_status     (SeroTerminal       *self);
char                    *sero_terminal_get_text            (SeroTerminal       *self);
void                     sero_terminal_feed_child          (SeroTerminal       *self,
                                                            const char         *text);

G_END_DECLS
