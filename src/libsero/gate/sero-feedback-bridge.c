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

G_DEFINE_BOXED_TYPE (SeroQuestionAnswer, sero_question_answer,
                     sero_question_answer_copy, sero_question_answer_free)

/**
 * sero_question_answer_new:
 * @option_index: the chosen option, or -1 for a written answer
 * @text: (nullable): the option's text or what the person wrote
 *
 * Returns: (transfer full): a new answer
 */
SeroQuestionAnswer *
sero_question_answer_new (gboolean    cancelled,
                          int         option_index,
                          const char *text)
{
  SeroQuestionAnswer *answer = g_new0 (SeroQuestionAnswer, 1);

  answer->cancelled = cancelled;
  answer->option_index = cancelled ? -1 : option_index;
  answer->text = cancelled ? NULL : g_strdup (text);
  return answer;
}

SeroQuestionAnswer *
sero_question_answer_copy (const SeroQuestionAnswer *answer)
{
  return sero_question_answer_new (answer->cancelled, answer->option_index, answer->text);
}

void
sero_question_answer_free (SeroQuestionAnswer *answer)
{
  if (answer == NULL)
    return;

  g_free (answer->text);
  g_free (answer);
}

/**
 * sero_feedback_bridge_can_ask_questions:
 *
 * Whether someone behind this bridge can answer free-form questions (the
 * agent's `question` tool); a headless run's bridge cannot.
 */
gboolean
sero_feedback_bridge_can_ask_questions (SeroFeedbackBridge *self)
{
  g_return_val_if_fail (SERO_IS_FEEDBACK_BRIDGE (self), FALSE);

  return SERO_FEEDBACK_BRIDGE_GET_IFACE (self)->ask_question_async != NULL;
}

/**
 * sero_feedback_bridge_ask_question_async:
 * @options: (array zero-terminated=1): the choices, possibly none
 * @allow_free_text: whether the person may write their own answer
 *
 * Asks a person a question. A bridge that cannot ask questions fails with
 * %G_IO_ERROR_NOT_SUPPORTED.
 */
void
sero_feedback_bridge_ask_question_async (SeroFeedbackBridge  *self,
                                         const char          *question_id,
                                         const char          *question,
                                         const char * const  *options,
                                         gboolean             allow_free_text,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  SeroFeedbackBridgeInterface *iface;

  g_return_if_fail (SERO_IS_FEEDBACK_BRIDGE (self));
  g_return_if_fail (question != NULL);

  iface = SERO_FEEDBACK_BRIDGE_GET_IFACE (self);
  if (iface->ask_question_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, sero_feedback_bridge_ask_question_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Nobody is available to answer questions");
      return;
    }

  iface->ask_question_async (self, question_id, question, options, allow_free_text,
                             cancellable, callback, user_data);
}

/**
 * sero_feedback_bridge_ask_question_finish:
 *
 * Returns: (transfer full): the answer (possibly cancelled), or %NULL with
 *   @error set
 */
SeroQuestionAnswer *
sero_feedback_bridge_ask_question_finish (SeroFeedbackBridge  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  g_return_val_if_fail (SERO_IS_FEEDBACK_BRIDGE (self), NULL);

  if (g_async_result_is_tagged (result, sero_feedback_bridge_ask_question_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  return SERO_FEEDBACK_BRIDGE_GET_IFACE (self)->ask_question_finish (self, result, error);
}
