/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-session-view"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-chat-item.h"
#include "sero-chat-row.h"
#include "sero-session-view-private.h"

/* The chat of one agent session: the transcript as a GtkListView over a
 * GListStore of SeroChatItems, and a composer under it.
 *
 * Streaming stays cheap (issue 6: "no full re-layout per token"): a delta
 * only appends to its item and marks it dirty; one tick callback per frame
 * flushes the dirty items, each re-parsing only its open last block, and
 * each row touches only the widgets of blocks that changed. The list view
 * itself only lays out the rows on screen. */

struct _SeroSessionView
{
  GtkWidget          parent_instance;

  SeroSession       *session;
  SeroModelRegistry *models;
  GListStore        *items;
  GHashTable        *by_key;     /* "messageId:index", toolCallId, requestId → SeroChatItem */
  GPtrArray         *dirty;
  guint              tick_id;
  gboolean           stick_to_bottom;
  gboolean           filling_models;

  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkTextView       *composer;
  GtkWidget         *placeholder;
  GtkDropDown       *model_dropdown;
  GtkLabel          *status_label;
  GtkWidget         *stop_button;
  GtkWidget         *send_button;
};

G_DEFINE_FINAL_TYPE (SeroSessionView, sero_session_view, GTK_TYPE_WIDGET)

static void schedule_flush (SeroSessionView *self);

static JsonObject *
object_member (JsonObject *object,
               const char *name,
               gpointer    fallback)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : fallback;
}

static JsonArray *
array_member (JsonObject *object,
              const char *name,
              gpointer    fallback)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : fallback;
}

static void
scroll_to_bottom (SeroSessionView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static void
on_scrolled (SeroSessionView *self,
             GtkAdjustment   *adj)
{
  /* Follow the end of the conversation unless the person scrolled up. */
  self->stick_to_bottom = gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
                          gtk_adjustment_get_upper (adj) - 24;
}

static void
on_upper_changed (SeroSessionView *self,
                  GParamSpec      *pspec,
                  GtkAdjustment   *adj)
{
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
}

void
_sero_session_view_flush (SeroSessionView *self)
{
  g_autoptr(GPtrArray) dirty = NULL;

  g_return_if_fail (SERO_IS_SESSION_VIEW (self));

  dirty = g_steal_pointer (&self->dirty);
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < dirty->len; i++)
    sero_chat_item_flush (g_ptr_array_index (dirty, i));
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);

  _sero_session_view_flush (self);
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (SeroSessionView *self)
{
  if (self->tick_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

static void
mark_dirty (SeroSessionView *self,
            SeroChatItem    *item)
{
  if (!g_ptr_array_find (self->dirty, item, NULL))
    g_ptr_array_add (self->dirty, g_object_ref (item));
  schedule_flush (self);
}

static SeroChatItem *
add_item (SeroSessionView  *self,
          SeroChatItemKind  kind,
          const char       *key)
{
  g_autoptr(SeroChatItem) item = sero_chat_item_new (kind, key);

  if (key != NULL)
    g_hash_table_replace (self->by_key, g_strdup (key), g_object_ref (item));
  g_list_store_append (self->items, item);

  return item;
}

static SeroChatItem *
lookup_or_add (SeroSessionView  *self,
               SeroChatItemKind  kind,
               const char       *key)
{
  SeroChatItem *item = key ? g_hash_table_lookup (self->by_key, key) : NULL;

  return item ? item : add_item (self, kind, key);
}

static void
add_notice (SeroSessionView *self,
            const char      *text,
            gboolean         is_error)
{
  SeroChatItem *item = add_item (self, SERO_CHAT_ITEM_NOTICE, NULL);

  sero_chat_item_set_text (item, text);
  sero_chat_item_set_is_error (item, is_error);
  mark_dirty (self, item);
}

/* A message's text: content is a string or an array of blocks. */
static char *
dup_message_text (JsonObject *message)
{
  JsonNode *content = json_object_get_member (message, "content");
  g_autoptr(GString) text = g_string_new (NULL);

  if (content == NULL)
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (content))
    return g_strdup (json_node_get_string (content));
  if (!JSON_NODE_HOLDS_ARRAY (content))
    return g_strdup ("");

  for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (content), i);
      JsonObject *block = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (block != NULL && g_strcmp0 (json_object_get_string_member_with_default (block, "type", ""), "text") == 0)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, json_object_get_string_member_with_default (block, "text", ""));
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
block_key (const char *message_id,
           guint       index)
{
  return g_strdup_printf ("%s:%u", message_id ? message_id : "", index);
}

/* The final content of an assistant message replaces what was streamed;
 * for a message from the history, nothing was. */
static void
show_assistant_message (SeroSessionView *self,
                        const char      *message_id,
                        JsonObject      *message)
{
  JsonArray *content = array_member (message, "content", NULL);
  const char *stop_reason = json_object_get_string_member_with_default (message, "stopReason", "");
  const char *error = json_object_get_string_member_with_default (message, "errorMessage", NULL);

  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *node = json_array_get_element (content, i);
      JsonObject *block = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *type = block ? json_object_get_string_member_with_default (block, "type", "") : "";
      g_autofree char *key = block_key (message_id, i);
      SeroChatItem *item;

      if (g_str_equal (type, "text") || g_str_equal (type, "thinking"))
        {
          gboolean thinking = g_str_equal (type, "thinking");
          const char *text = json_object_get_string_member_with_default (block, type, "");

          if (text[0] == '\0' && g_hash_table_lookup (self->by_key, key) == NULL)
            continue;
          item = lookup_or_add (self, thinking ? SERO_CHAT_ITEM_THINKING : SERO_CHAT_ITEM_ASSISTANT, key);
          sero_chat_item_set_text (item, text);
          sero_chat_item_finish (item);
        }
      else if (g_str_equal (type, "toolCall"))
        {
          const char *id = json_object_get_string_member_with_default (block, "id", NULL);

          item = lookup_or_add (self, SERO_CHAT_ITEM_TOOL, id);
          if (sero_chat_item_get_tool_name (item) == NULL)
            sero_chat_item_set_tool (item, json_object_get_string_member_with_default (block, "name", ""),
                                     object_member (block, "arguments", NULL));
          mark_dirty (self, item);
        }
    }

  if (g_str_equal (stop_reason, "error"))
    add_notice (self, error ? error : _("The model stopped with an error"), TRUE);
}

static void
show_tool_result (SeroSessionView *self,
                  JsonObject      *message)
{
  const char *id = json_object_get_string_member_with_default (message, "toolCallId", NULL);
  g_autofree char *output = dup_message_text (message);
  SeroChatItem *item = lookup_or_add (self, SERO_CHAT_ITEM_TOOL, id);

  if (sero_chat_item_get_tool_name (item) == NULL)
    sero_chat_item_set_tool (item, json_object_get_string_member_with_default (message, "toolName", ""), NULL);
  sero_chat_item_set_tool_result (item, output, json_object_get_boolean_member_with_default (message, "isError", FALSE));
  mark_dirty (self, item);
}

static void
show_history (SeroSessionView *self)
{
  g_autoptr(GPtrArray) messages = sero_session_dup_messages (self->session);

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *message = g_ptr_array_index (messages, i);
      const char *role = json_object_get_string_member_with_default (message, "role", "");
      g_autofree char *id = g_strdup_printf ("history-%u", i);

      if (g_str_equal (role, "user"))
        {
          g_autofree char *text = dup_message_text (message);
          SeroChatItem *item = add_item (self, SERO_CHAT_ITEM_USER, NULL);

          sero_chat_item_set_text (item, text);
          mark_dirty (self, item);
        }
      else if (g_str_equal (role, "assistant"))
        show_assistant_message (self, id, message);
      else if (g_str_equal (role, "toolResult"))
        show_tool_result (self, message);
    }

  _sero_session_view_flush (self);
}

static void
update_state (SeroSessionView *self,
              const char      *state)
{
  gboolean busy = g_strcmp0 (state, "idle") != 0;

  gtk_widget_set_visible (self->stop_button, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.abort", busy);

  if (g_strcmp0 (state, "running") == 0)
    gtk_label_set_text (self->status_label, _("Working…"));
  else if (g_strcmp0 (state, "awaiting_input") == 0)
    gtk_label_set_text (self->status_label, _("Waiting for your answer"));
  else
    gtk_label_set_text (self->status_label, "");
}

static const char *
state_name (SeroSessionState state)
{
  switch (state)
    {
    case SERO_SESSION_STATE_RUNNING: return "running";
    case SERO_SESSION_STATE_AWAITING_INPUT: return "awaiting_input";
    case SERO_SESSION_STATE_IDLE:
    default: return "idle";
    }
}

void
_sero_session_view_handle_event (SeroSessionView *self,
                                 const char      *type,
                                 JsonObject      *payload)
{
  const char *message_id;

  g_return_if_fail (SERO_IS_SESSION_VIEW (self));
  g_return_if_fail (type != NULL && payload != NULL);

  message_id = json_object_get_string_member_with_default (payload, "messageId", NULL);

  if (g_str_equal (type, "text_delta") || g_str_equal (type, "thinking_delta"))
    {
      g_autofree char *key = block_key (message_id, json_object_get_int_member_with_default (payload, "contentIndex", 0));
      SeroChatItem *item = lookup_or_add (self, g_str_equal (type, "text_delta") ? SERO_CHAT_ITEM_ASSISTANT
                                                                                 : SERO_CHAT_ITEM_THINKING, key);

      sero_chat_item_append_text (item, json_object_get_string_member_with_default (payload, "delta", ""));
      mark_dirty (self, item);
    }
  else if (g_str_equal (type, "state"))
    update_state (self, json_object_get_string_member_with_default (payload, "state", "idle"));
  else if (g_str_equal (type, "message_start"))
    {
      JsonObject *message = object_member (payload, "message", NULL);

      if (message != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "role", ""), "user") == 0 &&
          (message_id == NULL || g_hash_table_lookup (self->by_key, message_id) == NULL))
        {
          g_autofree char *text = dup_message_text (message);
          SeroChatItem *item = add_item (self, SERO_CHAT_ITEM_USER, message_id);

          sero_chat_item_set_text (item, text);
          mark_dirty (self, item);
          /* What the person just sent is worth seeing even if they had scrolled up. */
          self->stick_to_bottom = TRUE;
        }
    }
  else if (g_str_equal (type, "message_end"))
    {
      JsonObject *message = object_member (payload, "message", NULL);

      if (message != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "role", ""), "assistant") == 0)
        show_assistant_message (self, message_id, message);
    }
  else if (g_str_equal (type, "tool_input_start") || g_str_equal (type, "tool_start"))
    {
      const char *id = json_object_get_string_member_with_default (payload, "toolCallId", NULL);
      SeroChatItem *item = lookup_or_add (self, SERO_CHAT_ITEM_TOOL, id);

      sero_chat_item_set_tool (item, json_object_get_string_member_with_default (payload, "toolName", ""),
                               object_member (payload, "input", NULL));
      mark_dirty (self, item);
    }
  else if (g_str_equal (type, "tool_end"))
    {
      const char *id = json_object_get_string_member_with_default (payload, "toolCallId", NULL);
      SeroChatItem *item = lookup_or_add (self, SERO_CHAT_ITEM_TOOL, id);

      if (sero_chat_item_get_tool_name (item) == NULL)
        sero_chat_item_set_tool (item, json_object_get_string_member_with_default (payload, "toolName", ""), NULL);
      sero_chat_item_set_tool_result (item, json_object_get_string_member_with_default (payload, "output", ""),
                                      json_object_get_boolean_member_with_default (payload, "isError", FALSE));
      mark_dirty (self, item);
    }
  else if (g_str_equal (type, "permission_request"))
    {
      SeroChatItem *item = add_item (self, SERO_CHAT_ITEM_PERMISSION,
                                     json_object_get_string_member_with_default (payload, "requestId", ""));

      sero_chat_item_set_text (item, json_object_get_string_member_with_default (payload, "prompt", ""));
      sero_chat_item_set_expires_at (item, json_object_get_int_member_with_default (payload, "expiresAt", 0));
      mark_dirty (self, item);
      self->stick_to_bottom = TRUE;
    }
  else if (g_str_equal (type, "question_request"))
    {
      JsonArray *array = array_member (payload, "options", NULL);
      g_autoptr(GStrvBuilder) options = g_strv_builder_new ();
      g_auto(GStrv) list = NULL;
      SeroChatItem *item = add_item (self, SERO_CHAT_ITEM_QUESTION,
                                     json_object_get_string_member_with_default (payload, "requestId", ""));

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (options, json_node_get_string (node));
        }
      list = g_strv_builder_end (options);

      sero_chat_item_set_text (item, json_object_get_string_member_with_default (payload, "title", ""));
      sero_chat_item_set_options (item, (const char * const *) list,
                                  json_object_get_boolean_member_with_default (payload, "allowFreeText", FALSE));
      mark_dirty (self, item);
      self->stick_to_bottom = TRUE;
    }
  else if (g_str_equal (type, "permission_resolved") || g_str_equal (type, "question_resolved"))
    {
      const char *id = json_object_get_string_member_with_default (payload, "requestId", "");
      SeroChatItem *item = g_hash_table_lookup (self->by_key, id);

      if (item != NULL)
        {
          sero_chat_item_resolve (item, json_object_get_string_member_with_default (payload, "answer", NULL));
          mark_dirty (self, item);
        }
    }
  else if (g_str_equal (type, "retry"))
    {
      g_autofree char *text =
        g_strdup_printf (_("Retrying in %.0f s (attempt %d): %s"),
                         json_object_get_int_member_with_default (payload, "delayMs", 0) / 1000.0,
                         (int) json_object_get_int_member_with_default (payload, "attempt", 0),
                         json_object_get_string_member_with_default (payload, "message", ""));

      add_notice (self, text, FALSE);
    }
  else if (g_str_equal (type, "runtime_notice"))
    add_notice (self, json_object_get_string_member_with_default (payload, "message", ""), FALSE);
  else if (g_str_equal (type, "agent_end"))
    {
      const char *outcome = json_object_get_string_member_with_default (payload, "outcome", "completed");

      if (g_str_equal (outcome, "cancelled"))
        add_notice (self, _("Stopped"), FALSE);
      else if (g_str_equal (outcome, "error"))
        add_notice (self, json_object_get_string_member_with_default (payload, "error", _("The turn failed")), TRUE);
    }
}

static void
on_session_event (SeroSessionView *self,
                  const char      *type,
                  JsonObject      *payload,
                  SeroSession     *session)
{
  _sero_session_view_handle_event (self, type, payload);
}

static gboolean
last_notice_says (SeroSessionView *self,
                  const char      *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  g_autoptr(SeroChatItem) last = n > 0 ? g_list_model_get_item (G_LIST_MODEL (self->items), n - 1) : NULL;

  return last != NULL && sero_chat_item_get_kind (last) == SERO_CHAT_ITEM_NOTICE &&
         g_strcmp0 (sero_chat_item_get_text (last), text) == 0;
}

static void
on_prompt_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SeroSessionView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A failed turn already said why in agent_end; this catches a turn that
   * could not start (no model, no key), which sends no events at all. */
  if (!sero_session_prompt_finish (SERO_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      self->items != NULL && !last_notice_says (self, error->message))
    add_notice (self, error->message, TRUE);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (text[0] == '\0')
    return;

  gtk_text_buffer_set_text (buffer, "", 0);
  self->stick_to_bottom = TRUE;

  /* While a turn runs, a message steers it. */
  if (sero_session_get_state (self->session) != SERO_SESSION_STATE_IDLE)
    sero_session_steer (self->session, text);
  else
    sero_session_prompt_async (self->session, text, NULL, on_prompt_done, g_object_ref (self));
}

static void
abort_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);

  sero_session_abort (self->session);
}

static void
permission_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);
  const char *id, *answer;

  g_variant_get (param, "(&s&s)", &id, &answer);
  sero_session_answer_permission (self->session, id,
                                  g_str_equal (answer, "allow") ? SERO_PERMISSION_ALLOW : SERO_PERMISSION_BLOCK);
}

static void
answer_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);
  const char *id, *answer;

  g_variant_get (param, "(&s&s)", &id, &answer);
  sero_session_answer_question (self->session, id, answer);
}

static gboolean
on_composer_key (SeroSessionView       *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);
      return TRUE;
    }

  return FALSE;
}

static void
on_buffer_changed (SeroSessionView *self,
                   GtkTextBuffer   *buffer)
{
  gtk_widget_set_visible (self->placeholder, gtk_text_buffer_get_char_count (buffer) == 0);
}

static void
on_model_selected (SeroSessionView *self,
                   GParamSpec      *pspec,
                   GtkDropDown     *dropdown)
{
  GtkStringObject *selected = gtk_drop_down_get_selected_item (dropdown);
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;

  if (self->filling_models || selected == NULL)
    return;

  current = sero_session_dup_model_spec (self->session);
  if (g_strcmp0 (current, gtk_string_object_get_string (selected)) == 0)
    return;

  if (!sero_session_set_model (self->session, gtk_string_object_get_string (selected), &error))
    add_notice (self, error->message, TRUE);
}

/**
 * sero_session_view_reload_models:
 *
 * Re-reads the models that can be used now: after Preferences changed a
 * key, say. Without any, the view says so instead of showing the chat.
 */
void
sero_session_view_reload_models (SeroSessionView *self)
{
  g_autoptr(GPtrArray) available = NULL;
  g_autoptr(GtkStringList) specs = gtk_string_list_new (NULL);
  g_autofree char *spec = NULL;
  g_autoptr(SeroModel) current = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (SERO_IS_SESSION_VIEW (self));

  available = sero_model_registry_list_available (self->models);
  if (available->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "no-provider");
      return;
    }

  /* The session may name no model, meaning the profile's default: show
   * the one a turn would use. */
  spec = sero_session_dup_model_spec (self->session);
  current = sero_model_registry_resolve (self->models, spec, NULL);
  g_clear_pointer (&spec, g_free);
  if (current != NULL)
    spec = sero_model_dup_spec (current);

  for (guint i = 0; i < available->len; i++)
    {
      g_autofree char *candidate = sero_model_dup_spec (g_ptr_array_index (available, i));

      if (g_strcmp0 (candidate, spec) == 0)
        selected = i;
      gtk_string_list_append (specs, candidate);
    }

  self->filling_models = TRUE;
  gtk_drop_down_set_model (self->model_dropdown, G_LIST_MODEL (specs));
  gtk_drop_down_set_selected (self->model_dropdown, selected);
  self->filling_models = FALSE;

  gtk_stack_set_visible_child_name (self->stack, "chat");
}

static void
sero_session_view_map (GtkWidget *widget)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);

  GTK_WIDGET_CLASS (sero_session_view_parent_class)->map (widget);

  if (self->dirty->len > 0)
    schedule_flush (self);
}

static void
sero_session_view_unmap (GtkWidget *widget)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }

  GTK_WIDGET_CLASS (sero_session_view_parent_class)->unmap (widget);
}

static gboolean
sero_session_view_grab_focus (GtkWidget *widget)
{
  SeroSessionView *self = SERO_SESSION_VIEW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "chat") == 0)
    return gtk_widget_grab_focus (GTK_WIDGET (self->composer));
  return GTK_WIDGET_CLASS (sero_session_view_parent_class)->grab_focus (widget);
}

static void
sero_session_view_dispose (GObject *object)
{
  SeroSessionView *self = (SeroSessionView *) object;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_SESSION_VIEW);
  g_clear_object (&self->session);
  g_clear_object (&self->models);
  g_clear_object (&self->items);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_ptr_array_unref);

  G_OBJECT_CLASS (sero_session_view_parent_class)->dispose (object);
}

static void
sero_session_view_class_init (SeroSessionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_session_view_dispose;
  widget_class->map = sero_session_view_map;
  widget_class->unmap = sero_session_view_unmap;
  widget_class->grab_focus = sero_session_view_grab_focus;

  g_type_ensure (SERO_TYPE_CHAT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-session-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "serosessionview");
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, composer);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SeroSessionView, send_button);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.abort", NULL, abort_action);
  gtk_widget_class_install_action (widget_class, "chat.permission", "(ss)", permission_action);
  gtk_widget_class_install_action (widget_class, "chat.answer", "(ss)", answer_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.abort", NULL);
}

static void
sero_session_view_init (SeroSessionView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (SERO_TYPE_CHAT_ITEM);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  self->stick_to_bottom = TRUE;

  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->items)))));

  /* Enter sends, Shift+Enter is a new line: the key is taken before the
   * text view inserts it. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_composer_key), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);

  g_signal_connect_object (gtk_text_view_get_buffer (self->composer), "changed",
                           G_CALLBACK (on_buffer_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                           G_CALLBACK (on_scrolled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "notify::upper",
                           G_CALLBACK (on_upper_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_dropdown, "notify::selected",
                           G_CALLBACK (on_model_selected), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sero_session_view_new (SeroSession       *session,
                       SeroModelRegistry *models)
{
  SeroSessionView *self;

  g_return_val_if_fail (SERO_IS_SESSION (session), NULL);
  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (models), NULL);

  self = g_object_new (SERO_TYPE_SESSION_VIEW, NULL);
  self->session = g_object_ref (session);
  self->models = g_object_ref (models);

  g_signal_connect_object (session, "event", G_CALLBACK (on_session_event), self, G_CONNECT_SWAPPED);
  show_history (self);
  update_state (self, state_name (sero_session_get_state (session)));
  sero_session_view_reload_models (self);

  return GTK_WIDGET (self);
}

SeroSession *
sero_session_view_get_session (SeroSessionView *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_VIEW (self), NULL);

  return self->session;
}

GListModel *
_sero_session_view_get_items (SeroSessionView *self)
{
  return G_LIST_MODEL (self->items);
}

GtkTextView *
_sero_session_view_get_composer (SeroSessionView *self)
{
  return self->composer;
}

GtkListView *
_sero_session_view_get_list (SeroSessionView *self)
{
  return self->list_view;
}
