/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-feedback-bridge"

#include "config.h"

#include "sero-feedback-bridge.h"

G_DEFINE_INTERFACE (SeroFeedbackBridge, sero_feedback_bridge, G_TYPE_OBJECT)

static void
sero_feedback_bridge_default_init (SeroFeedbackBridgeInterface *iface)
{
}

void
sero_feedback_bridge_ask_permission_async (SeroFeedbackBridge  *self,
                                           const char          *question_id,
                                           const char          *prompt,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (SERO_IS_FEEDBACK_BRIDGE (self));
  g_return_if_fail (prompt != NULL);

  SERO_FEEDBACK_BRIDGE_GET_IFACE (self)->ask_permission_async (self, question_id, prompt, cancellable,
                                                               callback, user_data);
}

SeroPermissionAnswer
sero_feedback_bridge_ask_permission_finish (SeroFeedbackBridge  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  g_return_val_if_fail (SERO_IS_FEEDBACK_BRIDGE (self), SERO_PERMISSION_CANCELLED);

  return SERO_FEEDBACK_BRIDGE_GET_IFACE (self)->ask_permission_finish (self, result, error);
}
