/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SeroPermissionAnswer:
 * @SERO_PERMISSION_ALLOW: the person allowed it
 * @SERO_PERMISSION_BLOCK: the person blocked it
 * @SERO_PERMISSION_CANCELLED: the question went away unanswered
 */
typedef enum
{
  SERO_PERMISSION_ALLOW,
  SERO_PERMISSION_BLOCK,
  SERO_PERMISSION_CANCELLED,
} SeroPermissionAnswer;

#define SERO_TYPE_FEEDBACK_BRIDGE (sero_feedback_bridge_get_type ())

G_DECLARE_INTERFACE (SeroFeedbackBridge, sero_feedback_bridge, SERO, FEEDBACK_BRIDGE, GObject)

/**
 * SeroFeedbackBridgeInterface:
 * @ask_permission_async: show @prompt with Allow and Block to a person (the
 *   window, a paired device); cancelling @cancellable withdraws the question
 * @ask_permission_finish: the answer
 *
 * How libsero asks a person something. The window and the gateway implement
 * it; the agent's question tool will add its own call here.
 */
struct _SeroFeedbackBridgeInterface
{
  GTypeInterface parent_iface;

  void                 (*ask_permission_async)  (SeroFeedbackBridge  *self,
                                                 const char          *question_id,
                                                 const char          *prompt,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
  SeroPermissionAnswer (*ask_permission_finish) (SeroFeedbackBridge  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
};

void                 sero_feedback_bridge_ask_permission_async  (SeroFeedbackBridge  *self,
                                                                 const char          *question_id,
                                                                 const char          *prompt,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
SeroPermissionAnswer sero_feedback_bridge_ask_permission_finish (SeroFeedbackBridge  *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
