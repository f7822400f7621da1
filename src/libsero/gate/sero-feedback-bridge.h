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

/**
 * SeroQuestionAnswer:
 * @cancelled: the person dismissed the question without answering
 * @option_index: the chosen option (0-based), or -1 when the person wrote
 *   their own answer
 * @text: the chosen option or what the person wrote; %NULL when cancelled
 */
typedef struct
{
  gboolean  cancelled;
  int       option_index;
  char     *text;
} SeroQuestionAnswer;

#define SERO_TYPE_QUESTION_ANSWER (sero_question_answer_get_type ())

GType               sero_question_answer_get_type (void) G_GNUC_CONST;
SeroQuestionAnswer *sero_question_answer_new      (gboolean                  cancelled,
                                                   int                       option_index,
                                                   const char               *text);
SeroQuestionAnswer *sero_question_answer_copy     (const SeroQuestionAnswer *answer);
void                sero_question_answer_free     (SeroQuestionAnswer       *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroQuestionAnswer, sero_question_answer_free)

#define SERO_TYPE_FEEDBACK_BRIDGE (sero_feedback_bridge_get_type ())

G_DECLARE_INTERFACE (SeroFeedbackBridge, sero_feedback_bridge, SERO, FEEDBACK_BRIDGE, GObject)

/**
 * SeroFeedbackBridgeInterface:
 * @ask_permission_async: show @prompt with Allow and Block to a person (the
 *   window, a paired device); cancelling @cancellable withdraws the question
 * @ask_permission_finish: the answer
 * @ask_question_async: (optional): show @question with @options (and a text
 *   field when @allow_free_text) to a person; cancelling @cancellable
 *   withdraws it. %NULL when this bridge has nobody who can answer
 *   questions, which the agent's `question` tool reports to the model.
 * @ask_question_finish: the answer, or an error
 *
 * How libsero asks a person something. The window and the gateway implement
 * it; the permission pair is required, the question pair optional.
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
  void                 (*ask_question_async)    (SeroFeedbackBridge  *self,
                                                 const char          *question_id,
                                                 const char          *question,
                                                 const char * const  *options,
                                                 gboolean             allow_free_text,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
  SeroQuestionAnswer  *(*ask_question_finish)   (SeroFeedbackBridge  *self,
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
gboolean             sero_feedback_bridge_can_ask_questions     (SeroFeedbackBridge  *self);
void                 sero_feedback_bridge_ask_question_async    (SeroFeedbackBridge  *self,
                                                                 const char          *question_id,
                                                                 const char          *question,
                                                                 const char * const  *options,
                                                                 gboolean             allow_free_text,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
SeroQuestionAnswer  *sero_feedback_bridge_ask_question_finish   (SeroFeedbackBridge  *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
