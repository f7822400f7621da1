/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* `question`: the user-feedback plugin's question tool (reference §2.7),
 * asked through the feedback bridge. Options are plain strings here; pi's
 * {label, description} objects are read for their label so a model that
 * learnt that shape is understood too. There is no timeout, as in the
 * original: the question ends on an answer, a dismissal or an abort. */

typedef struct
{
  GTask        *task;         /* (owned) */
  GCancellable *cancellable;  /* (owned) (nullable) */
  gulong        cancelled_id;
  char        **options;
} Asking;

static void
asking_free (Asking *asking)
{
  if (asking->cancelled_id != 0)
    g_cancellable_disconnect (asking->cancellable, asking->cancelled_id);
  g_clear_object (&asking->cancellable);
  g_clear_object (&asking->task);
  g_strfreev (asking->options);
  g_free (asking);
}

static void
on_answered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Asking *asking = user_data;
  GTask *task = asking->task;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroQuestionAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  answer = sero_feedback_bridge_ask_question_finish (SERO_FEEDBACK_BRIDGE (object), result, &error);

  if (g_cancellable_is_cancelled (asking->cancellable))
    _sero_tool_return_aborted (task);
  else if (answer == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    _sero_tool_return_error (task, "Error: No UI available to ask the user");
  else if (answer == NULL)
    _sero_tool_return_error (task, "Could not ask the user: %s", error->message);
  else
    {
      call->details = json_object_new ();
      json_object_set_boolean_member (call->details, "cancelled", answer->cancelled);
      if (answer->cancelled)
        text = g_strdup ("User cancelled the selection");
      else if (answer->option_index >= 0 && (guint) answer->option_index < g_strv_length (asking->options))
        {
          const char *label = asking->options[answer->option_index];

          text = g_strdup_printf ("User selected: %d. %s", answer->option_index + 1, label);
          json_object_set_int_member (call->details, "optionIndex", answer->option_index);
          json_object_set_string_member (call->details, "answer", label);
        }
      else
        {
          text = g_strdup_printf ("User wrote: %s", answer->text ? answer->text : "");
          json_object_set_string_member (call->details, "answer", answer->text ? answer->text : "");
        }
      _sero_tool_return (task, sero_tool_result_new_text (text, FALSE));
    }

  asking_free (asking);
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  _sero_tool_return_aborted (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

/* An abort ends the call at once, whether or not the bridge notices its
 * cancellable: a window that never answers must not hold the agent. This
 * runs in the cancelling thread, so the result is returned from an idle in
 * the task's context. */
static void
on_cancelled (GCancellable *cancellable,
              Asking       *asking)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, on_cancelled_idle, g_object_ref (asking->task), g_object_unref);
  g_source_attach (idle, g_task_get_context (asking->task));
  g_source_unref (idle);
}

void
_sero_tool_question_run (GTask *task)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  SeroFeedbackBridge *bridge = _sero_toolbox_get_bridge (self);
  const char *question = _sero_tool_arg_string (call->args, "question");
  JsonNode *options_node = json_object_get_member (call->args, "options");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *generated_id = NULL;
  gboolean allow_free_text = _sero_tool_arg_bool (call->args, "allowFreeText", TRUE);
  Asking *asking;

  if (question == NULL || question[0] == '\0')
    {
      _sero_tool_return_error (task, "Invalid arguments for question: \"question\" must be a non-empty string");
      return;
    }

  if (options_node != NULL && !JSON_NODE_HOLDS_NULL (options_node))
    {
      JsonArray *options;

      if (!JSON_NODE_HOLDS_ARRAY (options_node))
        {
          _sero_tool_return_error (task, "Invalid arguments for question: \"options\" must be an array of strings");
          return;
        }
      options = json_node_get_array (options_node);
      for (guint i = 0; i < json_array_get_length (options); i++)
        {
          JsonNode *option = json_array_get_element (options, i);
          const char *label = NULL;

          if (JSON_NODE_HOLDS_VALUE (option) && json_node_get_value_type (option) == G_TYPE_STRING)
            label = json_node_get_string (option);
          else if (JSON_NODE_HOLDS_OBJECT (option))
            label = json_object_get_string_member_with_default (json_node_get_object (option), "label", NULL);

          if (label == NULL || label[0] == '\0')
            {
              _sero_tool_return_error (task, "Invalid arguments for question: option %u is not a non-empty string", i + 1);
              return;
            }
          g_strv_builder_add (builder, label);
        }
    }

  asking = g_new0 (Asking, 1);
  asking->options = g_strv_builder_end (builder);

  if (asking->options[0] == NULL && !allow_free_text)
    {
      asking_free (asking);
      _sero_tool_return_error (task, "Error: No options provided");
      return;
    }

  if (bridge == NULL || !sero_feedback_bridge_can_ask_questions (bridge))
    {
      asking_free (asking);
      _sero_tool_return_error (task, "Error: No UI available to ask the user");
      return;
    }

  asking->task = g_object_ref (task);
  if (g_task_get_cancellable (task) != NULL)
    {
      asking->cancellable = g_object_ref (g_task_get_cancellable (task));
      asking->cancelled_id = g_cancellable_connect (asking->cancellable, G_CALLBACK (on_cancelled), asking, NULL);
    }

  if (call->id[0] == '\0')
    generated_id = g_strdup_printf ("ufq-%" G_GINT64_FORMAT, g_get_real_time () / 1000);

  sero_feedback_bridge_ask_question_async (bridge, generated_id ? generated_id : call->id, question,
                                           (const char * const *) asking->options, allow_free_text,
                                           asking->cancellable, on_answered, asking);
}
