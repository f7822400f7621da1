/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-feedback-bridge.h"

G_BEGIN_DECLS

typedef enum
{
  SERO_GATE_ALLOW,
  SERO_GATE_ASK,
  SERO_GATE_BLOCK,
} SeroGateVerdict;

/**
 * SeroGateDecision:
 * @verdict: allow, ask or block
 * @rule: a stable id of the rule that decided, e.g. "rm-recursive"
 * @reason: what a person reads
 */
typedef struct
{
  SeroGateVerdict  verdict;
  char            *rule;
  char            *reason;
} SeroGateDecision;

#define SERO_TYPE_GATE_DECISION (sero_gate_decision_get_type ())

GType             sero_gate_decision_get_type (void) G_GNUC_CONST;
SeroGateDecision *sero_gate_decision_copy     (const SeroGateDecision *decision);
void              sero_gate_decision_free     (SeroGateDecision       *decision);
const char       *sero_gate_verdict_to_string (SeroGateVerdict         verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroGateDecision, sero_gate_decision_free)

#define SERO_TYPE_BASH_GATE (sero_bash_gate_get_type ())

G_DECLARE_FINAL_TYPE (SeroBashGate, sero_bash_gate, SERO, BASH_GATE, GObject)

/* The folders a plain recursive rm may clean inside the workspace without
 * asking. NULL-terminated. */
extern const char * const sero_bash_gate_generated_folders[];

SeroBashGate     *sero_bash_gate_new              (void);
guint             sero_bash_gate_get_timeout_ms   (SeroBashGate        *self);
void              sero_bash_gate_set_timeout_ms   (SeroBashGate        *self,
                                                   guint                timeout_ms);
SeroGateDecision *sero_bash_gate_classify         (SeroBashGate        *self,
                                                   const char          *command,
                                                   const char          *root,
                                                   const char          *cwd);
void              sero_bash_gate_check_async      (SeroBashGate        *self,
                                                   const char          *command,
                                                   const char          *root,
                                                   const char          *cwd,
                                                   SeroFeedbackBridge  *bridge,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
SeroGateDecision *sero_bash_gate_check_finish     (SeroBashGate        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
gboolean          sero_bash_gate_path_is_inside   (const char          *path,
                                                   const char          *root,
                                                   const char          *cwd);
void              sero_bash_gate_check_path_async (SeroBashGate        *self,
                                                   const char          *tool,
                                                   const char          *path,
                                                   const char          *root,
                                                   const char          *cwd,
                                                   SeroFeedbackBridge  *bridge,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char             *sero_bash_gate_workspace_root   (const char          *cwd);

G_END_DECLS
