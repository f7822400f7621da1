/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-session"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-bash-gate.h"
#include "sero-provider.h"
#include "sero-session.h"
#include "sero-toolbox.h"

/* One agent conversation: the loop of a turn (prompt → model → tools →
 * model …), steering and abort, and the events that the session view and
 * the gateway both consume. The transcript lives in a pi-compatible JSONL
 * file; every message is appended as soon as it is complete, so a crash
 * loses at most the message being streamed.
 *
 * The session is also the feedback bridge its tools ask through: a gate
 * question becomes a permission_request event that whoever shows the session
 * answers with sero_session_answer_permission(). A session nobody watches
 * (the headless CLI) is not interactive, and its tools get no bridge at all,
 * so the gate blocks what it would have asked about. */

#define AGENTS_FILE_MAX (64 * 1024)
#define TITLE_MAX       80

struct _SeroSession
{
  GObject             parent_instance;

  SeroSessionFile    *file;
  SeroRuntime        *runtime;
  SeroModelRegistry  *models;
  SeroBashGate       *gate;

  char               *model_spec;
  char               *title;
  SeroSessionState    state;
  gboolean            interactive;
  SeroSessionUsage    usage;

  /* The running turn, if any. */
  GTask              *turn;
  GCancellable       *cancellable;
  GQueue              steering;

  /* request id → GTask of an unanswered question */
  GHashTable         *permissions;
  GHashTable         *questions;
};

static void sero_session_bridge_iface_init (SeroFeedbackBridgeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SeroSession, sero_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SERO_TYPE_FEEDBACK_BRIDGE,
                                                      sero_session_bridge_iface_init))

enum {
  PROP_0,
  PROP_STATE,
  PROP_TITLE,
  PROP_INTERACTIVE,
  PROP_MODEL_SPEC,
  N_PROPS
};

enum {
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  OUTCOME_COMPLETED,
  OUTCOME_CANCELLED,
  OUTCOME_ERROR,
} Outcome;

/* What one running turn carries between its asynchronous steps. */
typedef struct
{
  SeroModel   *model;
  SeroToolbox *toolbox;
  char        *system_prompt;

  /* The assistant message being streamed: its event id and the text and
   * thinking received so far, kept so an abort can still record them. */
  char        *message_id;
  GPtrArray   *partial;   /* GString per content index, or NULL */
  GArray      *partial_kinds;

  /* The tool calls of the last assistant message, run one after another. */
  GPtrArray   *calls;     /* JsonObject toolCall blocks */
  guint        next_call;
} Turn;

static void turn_request  (GTask *task);
static void turn_run_tool (GTask *task);

static void
turn_free (Turn *turn)
{
  g_clear_pointer (&turn->model, sero_model_free);
  g_clear_object (&turn->toolbox);
  g_clear_pointer (&turn->system_prompt, g_free);
  g_clear_pointer (&turn->message_id, g_free);
  g_clear_pointer (&turn->partial, g_ptr_array_unref);
  g_clear_pointer (&turn->partial_kinds, g_array_unref);
  g_clear_pointer (&turn->calls, g_ptr_array_unref);
  g_free (turn);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
emit (SeroSession *self,
      const char  *type,
      JsonObject  *payload)
{
  g_autoptr(JsonObject) owned = payload != NULL ? payload : json_object_new ();

  g_signal_emit (self, signals[EVENT], 0, type, owned);
}

static void
set_state (SeroSession      *self,
           SeroSessionState  state)
{
  static const char * const names[] = { "idle", "running", "awaiting_input" };
  JsonObject *payload;

  if (self->state == state)
    return;

  self->state = state;
  payload = json_object_new ();
  json_object_set_string_member (payload, "state", names[state]);
  emit (self, "state", payload);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static JsonObject *
entry_message (JsonObject *entry)
{
  if (g_strcmp0 (json_object_get_string_member_with_default (entry, "type", ""), "message") != 0)
    return NULL;
  if (!json_object_has_member (entry, "message") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "message")))
    return NULL;
  return json_object_get_object_member (entry, "message");
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static guint64
usage_count (JsonObject *usage,
             const char *name)
{
  JsonNode *node = json_object_get_member (usage, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  return (guint64) MAX (0, json_node_get_int (node));
}

static void
add_usage (SeroSession *self,
           JsonObject  *message)
{
  JsonObject *usage = object_member (message, "usage");
  JsonObject *cost;

  if (usage == NULL)
    return;

  self->usage.input += usage_count (usage, "input");
  self->usage.output += usage_count (usage, "output");
  self->usage.cache_read += usage_count (usage, "cacheRead");
  self->usage.cache_write += usage_count (usage, "cacheWrite");

  cost = object_member (usage, "cost");
  if (cost != NULL && json_object_has_member (cost, "total"))
    self->usage.cost += json_object_get_double_member_with_default (cost, "total", 0);
}

/* The model a session uses: its last model change, else the model of its
 * last answer, else the registry's default (NULL). */
static char *
find_model_spec (SeroSessionFile *file)
{
  g_autoptr(GPtrArray) branch = sero_session_file_get_branch (file);

  for (guint i = branch->len; i > 0; i--)
    {
      JsonObject *entry = g_ptr_array_index (branch, i - 1);
      const char *type = json_object_get_string_member_with_default (entry, "type", "");
      JsonObject *message;

      if (g_str_equal (type, "model_change"))
        {
          const char *provider = json_object_get_string_member_with_default (entry, "provider", NULL);
          const char *model = json_object_get_string_member_with_default (entry, "modelId", NULL);

          if (provider != NULL && model != NULL)
            return g_strdup_printf ("%s/%s", provider, model);
        }

      message = entry_message (entry);
      if (message != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "role", ""), "assistant") == 0)
        {
          const char *provider = json_object_get_string_member_with_default (message, "provider", NULL);
          const char *model = json_object_get_string_member_with_default (message, "model", NULL);

          if (provider != NULL && model != NULL)
            return g_strdup_printf ("%s/%s", provider, model);
        }
    }

  return NULL;
}

static void
sero_session_dispose (GObject *object)
{
  SeroSession *self = SERO_SESSION (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  g_clear_object (&self->file);
  g_clear_object (&self->runtime);
  g_clear_object (&self->models);
  g_clear_object (&self->gate);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->steering, g_free);

  G_OBJECT_CLASS (sero_session_parent_class)->dispose (object);
}

static void
sero_session_finalize (GObject *object)
{
  SeroSession *self = SERO_SESSION (object);

  g_clear_pointer (&self->permissions, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_hash_table_unref);
  g_free (self->model_spec);
  g_free (self->title);

  G_OBJECT_CLASS (sero_session_parent_class)->finalize (object);
}

static void
sero_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SeroSession *self = SERO_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_INTERACTIVE:
      g_value_set_boolean (value, self->interactive);
      break;

    case PROP_MODEL_SPEC:
      g_value_set_string (value, self->model_spec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SeroSession *self = SERO_SESSION (object);

  switch (prop_id)
    {
    case PROP_INTERACTIVE:
      sero_session_set_interactive (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_session_class_init (SeroSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sero_session_dispose;
  object_class->finalize = sero_session_finalize;
  object_class->get_property = sero_session_get_property;
  object_class->set_property = sero_session_set_property;

  /* A plain int: SeroSessionState has no registered enum type yet. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      SERO_SESSION_STATE_IDLE, SERO_SESSION_STATE_AWAITING_INPUT,
                      SERO_SESSION_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERACTIVE] =
    g_param_spec_boolean ("interactive", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_SPEC] =
    g_param_spec_string ("model-spec", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SeroSession::event:
   * @type: the event's name
   * @payload: its fields, as documented in sero-session.h
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT);
}

static void
sero_session_init (SeroSession *self)
{
  g_queue_init (&self->steering);
  self->permissions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->questions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
update_title (SeroSession *self)
{
  g_autofree char *title = sero_session_file_dup_title (self->file);

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_steal_pointer (&title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/**
 * sero_session_new:
 * @file: the session's transcript
 * @runtime: where its tools run (already chosen: a container, or the host
 *   when the container could not start)
 * @models: the models it may talk to
 *
 * Returns: (transfer full): an idle session
 */
SeroSession *
sero_session_new (SeroSessionFile   *file,
                  SeroRuntime       *runtime,
                  SeroModelRegistry *models)
{
  SeroSession *self;
  g_autoptr(GPtrArray) branch = NULL;

  g_return_val_if_fail (SERO_IS_SESSION_FILE (file), NULL);
  g_return_val_if_fail (SERO_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (models), NULL);

  self = g_object_new (SERO_TYPE_SESSION, NULL);
  self->file = g_object_ref (file);
  self->runtime = g_object_ref (runtime);
  self->models = g_object_ref (models);
  self->gate = sero_bash_gate_new ();
  self->model_spec = find_model_spec (file);
  update_title (self);

  branch = sero_session_file_get_branch (file);
  for (guint i = 0; i < branch->len; i++)
    {
      JsonObject *message = entry_message (g_ptr_array_index (branch, i));

      if (message != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "role", ""), "assistant") == 0)
        add_usage (self, message);
    }

  return self;
}

SeroSessionFile *
sero_session_get_file (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  return self->file;
}

const char *
sero_session_get_id (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  return sero_session_file_get_id (self->file);
}

SeroRuntime *
sero_session_get_runtime (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  return self->runtime;
}

SeroSessionState
sero_session_get_state (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), SERO_SESSION_STATE_IDLE);

  return self->state;
}

const char *
sero_session_get_title (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  return self->title;
}

gboolean
sero_session_get_interactive (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), FALSE);

  return self->interactive;
}

/**
 * sero_session_set_interactive:
 *
 * Whether someone can answer this session's questions. A turn that starts
 * while nobody can answer blocks whatever the gate would ask about.
 */
void
sero_session_set_interactive (SeroSession *self,
                              gboolean     interactive)
{
  g_return_if_fail (SERO_IS_SESSION (self));

  interactive = !!interactive;
  if (self->interactive == interactive)
    return;

  self->interactive = interactive;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTIVE]);
}

/**
 * sero_session_dup_model_spec:
 *
 * Returns: (transfer full) (nullable): "provider/model", or %NULL when the
 *   session uses the default model
 */
char *
sero_session_dup_model_spec (SeroSession *self)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  return g_strdup (self->model_spec);
}

/**
 * sero_session_set_model:
 * @spec: "provider/model"
 *
 * Switches the model for the next requests and records the change in the
 * transcript, as pi does.
 */
gboolean
sero_session_set_model (SeroSession  *self,
                        const char   *spec,
                        GError      **error)
{
  g_autoptr(SeroModel) model = NULL;

  g_return_val_if_fail (SERO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  model = sero_model_registry_resolve (self->models, spec, error);
  if (model == NULL)
    return FALSE;

  if (!sero_session_file_append_model_change (self->file, model->provider, model->id, error))
    return FALSE;

  g_free (self->model_spec);
  self->model_spec = sero_model_dup_spec (model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_SPEC]);
  return TRUE;
}

/**
 * sero_session_dup_messages:
 *
 * Returns: (transfer container) (element-type JsonObject): the messages of
 *   the current branch, oldest first, as pi stores them
 */
GPtrArray *
sero_session_dup_messages (SeroSession *self)
{
  g_autoptr(GPtrArray) branch = NULL;
  GPtrArray *messages;

  g_return_val_if_fail (SERO_IS_SESSION (self), NULL);

  branch = sero_session_file_get_branch (self->file);
  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; i < branch->len; i++)
    {
      JsonObject *message = entry_message (g_ptr_array_index (branch, i));

      if (message != NULL)
        g_ptr_array_add (messages, json_object_ref (message));
    }
  return messages;
}

SeroSessionUsage
sero_session_get_usage (SeroSession *self)
{
  SeroSessionUsage none = { 0 };

  g_return_val_if_fail (SERO_IS_SESSION (self), none);

  return self->usage;
}

/* Turns ------------------------------------------------------------------ */

static char *
build_system_prompt (SeroSession *self)
{
  SeroWorkspace *workspace = sero_runtime_get_workspace (self->runtime);
  const char *host_root = sero_workspace_get_path (workspace);
  gboolean container = sero_runtime_is_container (self->runtime);
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *agents_path = g_build_filename (host_root, "AGENTS.md", NULL);
  g_autofree char *agents = NULL;
  gsize agents_len = 0;

  g_string_append_printf (prompt,
                          "You are a coding agent working in the user's project, inside Sero.\n"
                          "The project folder is %s%s. Relative paths are resolved there.\n"
                          "Use the tools to read files, make changes and run commands; prefer "
                          "small, verifiable steps and say what you changed.\n"
                          "Commands that could destroy data or leave the project ask the user "
                          "first; when one is refused, the tool result says why: respect it.\n"
                          "Today is %s.\n",
                          container ? "/workspace" : host_root,
                          container ? " inside a Linux container" : " on the user's computer",
                          today);

  if (g_file_get_contents (agents_path, &agents, &agents_len, NULL) &&
      g_utf8_validate (agents, agents_len, NULL))
    {
      if (agents_len > AGENTS_FILE_MAX)
        agents[AGENTS_FILE_MAX] = '\0';
      g_string_append_printf (prompt, "\n# Project instructions (AGENTS.md)\n\n%s\n", agents);
    }

  return g_string_free (g_steal_pointer (&prompt), FALSE);
}

/* The messages a provider may see: pi's transcript minus what no provider
 * accepts back (failed answers with nothing in them). */
static JsonArray *
collect_context (SeroSession *self)
{
  g_autoptr(GPtrArray) messages = sero_session_dup_messages (self);
  JsonArray *context = json_array_new ();

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *message = g_ptr_array_index (messages, i);
      const char *role = json_object_get_string_member_with_default (message, "role", "");

      if (g_str_equal (role, "assistant"))
        {
          const char *stop = json_object_get_string_member_with_default (message, "stopReason", "");
          JsonArray *content = array_member (message, "content");

          if (g_str_equal (stop, "error") && (content == NULL || json_array_get_length (content) == 0))
            continue;
        }
      else if (!g_str_equal (role, "user") && !g_str_equal (role, "toolResult"))
        continue;

      json_array_add_object_element (context, json_object_ref (message));
    }

  return context;
}

static void
finish_turn (GTask      *task,
             Outcome     outcome,
             GError     *error)
{
  SeroSession *self = g_task_get_source_object (task);
  static const char * const outcomes[] = { "completed", "cancelled", "error" };
  JsonObject *payload = json_object_new ();

  g_assert (self->turn == task);

  json_object_set_string_member (payload, "outcome", outcomes[outcome]);
  if (error != NULL)
    json_object_set_string_member (payload, "error", error->message);

  self->turn = NULL;
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->steering, g_free);
  update_title (self);

  emit (self, "agent_end", payload);
  set_state (self, SERO_SESSION_STATE_IDLE);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (outcome == OUTCOME_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The turn was stopped"));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
append_message (GTask      *task,
                JsonObject *message)
{
  SeroSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (sero_session_file_append_message (self->file, message, &error) == NULL)
    {
      g_prefix_error (&error, _("Could not save the session: "));
      finish_turn (task, OUTCOME_ERROR, g_steal_pointer (&error));
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
new_user_message (const char *text)
{
  JsonObject *message = sero_session_message_new_text ("user", text);

  if (!json_object_has_member (message, "timestamp"))
    json_object_set_int_member (message, "timestamp", now_ms ());
  return message;
}

static gboolean
deliver_user_message (GTask      *task,
                      const char *text)
{
  SeroSession *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) message = new_user_message (text);
  g_autofree char *id = g_uuid_string_random ();
  JsonObject *payload;

  if (!append_message (task, message))
    return FALSE;

  payload = json_object_new ();
  json_object_set_string_member (payload, "messageId", id);
  json_object_set_object_member (payload, "message", json_object_ref (message));
  emit (self, "message_start", payload);
  return TRUE;
}

/* Steering messages go in as user messages before the next request. */
static gboolean
deliver_steering (GTask *task)
{
  SeroSession *self = g_task_get_source_object (task);
  char *text;

  while ((text = g_queue_pop_head (&self->steering)) != NULL)
    {
      g_autofree char *owned = text;

      if (!deliver_user_message (task, owned))
        return FALSE;
    }
  return TRUE;
}

static GString *
partial_block (Turn     *turn,
               guint     index,
               gboolean  thinking)
{
  while (turn->partial->len <= index)
    {
      gboolean none = FALSE;

      g_ptr_array_add (turn->partial, NULL);
      g_array_append_val (turn->partial_kinds, none);
    }
  if (g_ptr_array_index (turn->partial, index) == NULL)
    {
      g_ptr_array_index (turn->partial, index) = g_string_new (NULL);
      g_array_index (turn->partial_kinds, gboolean, index) = thinking;
    }
  return g_ptr_array_index (turn->partial, index);
}

static void
on_stream_event (const SeroStreamEvent *event,
                 gpointer               user_data)
{
  GTask *task = user_data;
  SeroSession *self = g_task_get_source_object (task);
  Turn *turn = g_task_get_task_data (task);
  JsonObject *payload = json_object_new ();

  switch (event->kind)
    {
    case SERO_STREAM_TEXT_DELTA:
    case SERO_STREAM_THINKING_DELTA:
      {
        gboolean thinking = event->kind == SERO_STREAM_THINKING_DELTA;

        g_string_append (partial_block (turn, event->content_index, thinking), event->delta);
        json_object_set_string_member (payload, "messageId", turn->message_id);
        json_object_set_int_member (payload, "contentIndex", event->content_index);
        json_object_set_string_member (payload, "delta", event->delta);
        emit (self, thinking ? "thinking_delta" : "text_delta", payload);
      }
      break;

    case SERO_STREAM_TOOLCALL_START:
      json_object_set_string_member (payload, "messageId", turn->message_id);
      json_object_set_string_member (payload, "toolCallId", event->tool_call_id);
      json_object_set_string_member (payload, "toolName", event->tool_name);
      emit (self, "tool_input_start", payload);
      break;

    case SERO_STREAM_RETRY:
      json_object_set_int_member (payload, "attempt", event->attempt);
      json_object_set_int_member (payload, "delayMs", event->delay_ms);
      json_object_set_string_member (payload, "message", event->message);
      emit (self, "retry", payload);
      break;

    case SERO_STREAM_TOOLCALL_DELTA:
    case SERO_STREAM_TOOLCALL_END:
    default:
      json_object_unref (payload);
      break;
    }
}

/* What an interrupted answer leaves behind: the text and thinking so far. */
static JsonObject *
partial_message (Turn       *turn,
                 const char *stop_reason,
                 const char *error_message)
{
  JsonObject *message = json_object_new ();
  JsonArray *content = json_array_new ();
  JsonObject *usage = json_object_new ();

  for (guint i = 0; i < turn->partial->len; i++)
    {
      GString *text = g_ptr_array_index (turn->partial, i);
      gboolean thinking = g_array_index (turn->partial_kinds, gboolean, i);
      JsonObject *block;

      if (text == NULL || text->len == 0)
        continue;

      block = json_object_new ();
      json_object_set_string_member (block, "type", thinking ? "thinking" : "text");
      json_object_set_string_member (block, thinking ? "thinking" : "text", text->str);
      json_array_add_object_element (content, block);
    }

  json_object_set_int_member (usage, "input", 0);
  json_object_set_int_member (usage, "output", 0);
  json_object_set_int_member (usage, "cacheRead", 0);
  json_object_set_int_member (usage, "cacheWrite", 0);
  json_object_set_int_member (usage, "totalTokens", 0);

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_array_member (message, "content", content);
  json_object_set_string_member (message, "api", turn->model->api);
  json_object_set_string_member (message, "provider", turn->model->provider);
  json_object_set_string_member (message, "model", turn->model->id);
  json_object_set_object_member (message, "usage", usage);
  json_object_set_string_member (message, "stopReason", stop_reason);
  if (error_message != NULL)
    json_object_set_string_member (message, "errorMessage", error_message);
  json_object_set_int_member (message, "timestamp", now_ms ());
  return message;
}

static void
end_message (GTask      *task,
             JsonObject *message)
{
  SeroSession *self = g_task_get_source_object (task);
  Turn *turn = g_task_get_task_data (task);
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "messageId", turn->message_id);
  json_object_set_object_member (payload, "message", json_object_ref (message));
  emit (self, "message_end", payload);
}

static JsonObject *
tool_result_message (JsonObject     *call,
                     SeroToolResult *result)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "role", "toolResult");
  json_object_set_string_member (message, "toolCallId",
                                 json_object_get_string_member_with_default (call, "id", ""));
  json_object_set_string_member (message, "toolName",
                                 json_object_get_string_member_with_default (call, "name", ""));
  json_object_set_array_member (message, "content", json_array_ref (result->content));
  if (result->details != NULL)
    json_object_set_object_member (message, "details", json_object_ref (result->details));
  json_object_set_boolean_member (message, "isError", result->is_error);
  json_object_set_int_member (message, "timestamp", now_ms ());
  return message;
}

/* Records @result for @call and tells the watchers. */
static gboolean
record_tool_result (GTask          *task,
                    JsonObject     *call,
                    SeroToolResult *result)
{
  SeroSession *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) message = tool_result_message (call, result);
  g_autofree char *output = sero_tool_result_dup_text (result);
  JsonObject *payload;
  JsonArray *images = json_array_new ();

  if (!append_message (task, message))
    {
      json_array_unref (images);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (result->content); i++)
    {
      JsonObject *block = json_array_get_object_element (result->content, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (block, "type", ""), "image") == 0)
        json_array_add_object_element (images, json_object_ref (block));
    }

  payload = json_object_new ();
  json_object_set_string_member (payload, "toolCallId",
                                 json_object_get_string_member_with_default (call, "id", ""));
  json_object_set_string_member (payload, "toolName",
                                 json_object_get_string_member_with_default (call, "name", ""));
  json_object_set_string_member (payload, "output", output);
  json_object_set_boolean_member (payload, "isError", result->is_error);
  if (json_array_get_length (images) > 0)
    json_object_set_array_member (payload, "images", images);
  else
    json_array_unref (images);
  emit (self, "tool_end", payload);
  return TRUE;
}

/* Every tool call needs a result, or no provider accepts the transcript
 * back: calls that will not run get one saying why. */
static gboolean
skip_remaining_calls (GTask      *task,
                      const char *why)
{
  Turn *turn = g_task_get_task_data (task);

  for (; turn->next_call < turn->calls->len; turn->next_call++)
    {
      g_autoptr(SeroToolResult) result = sero_tool_result_new_text (why, TRUE);

      if (!record_tool_result (task, g_ptr_array_index (turn->calls, turn->next_call), result))
        return FALSE;
    }
  return TRUE;
}

static void
on_tool_done (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  GTask *task = user_data;
  Turn *turn = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  JsonObject *call = g_ptr_array_index (turn->calls, turn->next_call);
  g_autoptr(SeroToolResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = sero_toolbox_execute_finish (SERO_TOOLBOX (object), res, &error);
  if (result == NULL)
    {
      const char *text = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                         ? "Command aborted" : error->message;

      result = sero_tool_result_new_text (text, TRUE);
    }

  if (!record_tool_result (task, call, result))
    return;
  turn->next_call++;

  if (g_cancellable_is_cancelled (cancellable))
    {
      if (skip_remaining_calls (task, "Tool call aborted"))
        finish_turn (task, OUTCOME_CANCELLED, NULL);
      return;
    }

  turn_run_tool (task);
}

static void
turn_run_tool (GTask *task)
{
  SeroSession *self = g_task_get_source_object (task);
  Turn *turn = g_task_get_task_data (task);
  JsonObject *call;
  JsonObject *arguments;
  JsonObject *payload;

  /* A steering message skips what the model planned before it was sent,
   * as pi does; the model then reads the message and decides again. */
  if (turn->next_call < turn->calls->len && turn->next_call > 0 &&
      !g_queue_is_empty (&self->steering))
    {
      if (!skip_remaining_calls (task, "Skipped due to queued user message."))
        return;
    }

  if (turn->next_call >= turn->calls->len)
    {
      if (deliver_steering (task))
        turn_request (task);
      return;
    }

  call = g_ptr_array_index (turn->calls, turn->next_call);
  arguments = object_member (call, "arguments");

  payload = json_object_new ();
  json_object_set_string_member (payload, "toolCallId",
                                 json_object_get_string_member_with_default (call, "id", ""));
  json_object_set_string_member (payload, "toolName",
                                 json_object_get_string_member_with_default (call, "name", ""));
  json_object_set_object_member (payload, "input",
                                 arguments != NULL ? json_object_ref (arguments) : json_object_new ());
  emit (self, "tool_start", payload);

  sero_toolbox_execute_async (turn->toolbox,
                              json_object_get_string_member_with_default (call, "id", ""),
                              json_object_get_string_member_with_default (call, "name", ""),
                              arguments,
                              g_task_get_cancellable (task),
                              on_tool_done,
                              task);
}

static void
on_stream_done (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  GTask *task = user_data;
  SeroSession *self = g_task_get_source_object (task);
  Turn *turn = g_task_get_task_data (task);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *content;

  message = sero_provider_stream_finish (res, &error);

  if (message == NULL)
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_autoptr(JsonObject) partial = partial_message (turn,
                                                       cancelled ? "aborted" : "error",
                                                       cancelled ? NULL : error->message);

      if (!append_message (task, partial))
        return;
      end_message (task, partial);
      finish_turn (task,
                   cancelled ? OUTCOME_CANCELLED : OUTCOME_ERROR,
                   cancelled ? NULL : g_steal_pointer (&error));
      return;
    }

  if (!append_message (task, message))
    return;
  add_usage (self, message);
  end_message (task, message);

  g_ptr_array_set_size (turn->calls, 0);
  turn->next_call = 0;
  content = array_member (message, "content");
  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *node = json_array_get_element (content, i);
      JsonObject *block;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (block, "type", ""), "toolCall") == 0)
        g_ptr_array_add (turn->calls, json_object_ref (block));
    }

  if (turn->calls->len > 0)
    {
      turn_run_tool (task);
      return;
    }

  /* A message that arrived while the last answer streamed starts the next
   * round; otherwise the turn is over. */
  if (!g_queue_is_empty (&self->steering))
    {
      if (deliver_steering (task))
        turn_request (task);
      return;
    }

  finish_turn (task, OUTCOME_COMPLETED, NULL);
}

static void
turn_request (GTask *task)
{
  SeroSession *self = g_task_get_source_object (task);
  Turn *turn = g_task_get_task_data (task);
  g_autoptr(JsonArray) context = collect_context (self);
  g_autoptr(JsonArray) tools = json_array_ref (sero_toolbox_get_specs (turn->toolbox));
  SeroProviderRequest request = {
    .system_prompt = turn->system_prompt,
    .messages = context,
    .tools = tools,
    .thinking_level = turn->model->reasoning ? "medium" : NULL,
    .session_id = sero_session_get_id (self),
  };
  JsonObject *start;
  JsonObject *placeholder;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      finish_turn (task, OUTCOME_CANCELLED, NULL);
      return;
    }

  g_free (turn->message_id);
  turn->message_id = g_uuid_string_random ();
  g_ptr_array_set_size (turn->partial, 0);
  g_array_set_size (turn->partial_kinds, 0);

  placeholder = json_object_new ();
  json_object_set_string_member (placeholder, "role", "assistant");
  json_object_set_array_member (placeholder, "content", json_array_new ());
  json_object_set_string_member (placeholder, "provider", turn->model->provider);
  json_object_set_string_member (placeholder, "model", turn->model->id);
  start = json_object_new ();
  json_object_set_string_member (start, "messageId", turn->message_id);
  json_object_set_object_member (start, "message", placeholder);
  emit (self, "message_start", start);

  sero_provider_stream_async (turn->model, &request,
                              on_stream_event, task,
                              g_task_get_cancellable (task),
                              on_stream_done, task);
}

static void
free_partial (gpointer data)
{
  if (data != NULL)
    g_string_free (data, TRUE);
}

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *turn)
{
  g_cancellable_cancel (turn);
}

/**
 * sero_session_prompt_async:
 * @text: what the person asked
 *
 * Runs one turn: the model answers, calls tools, reads their results, and so
 * on until it stops. Progress arrives as "event" signals; the result says
 * how the turn ended (an error, or %G_IO_ERROR_CANCELLED after an abort).
 */
void
sero_session_prompt_async (SeroSession         *self,
                           const char          *text,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GTask *owned;
  Turn *turn;

  g_return_if_fail (SERO_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  if (self->turn != NULL)
    {
      g_task_report_new_error (self, callback, user_data, sero_session_prompt_async,
                               G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The agent is already working; send a message to steer it instead"));
      return;
    }

  /* The turn has its own cancellable so that abort() works whoever
   * started it; the caller's cancels it too. */
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                           g_object_ref (self->cancellable), g_object_unref);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_session_prompt_async);

  turn = g_new0 (Turn, 1);
  turn->partial = g_ptr_array_new_with_free_func (free_partial);
  turn->partial_kinds = g_array_new (FALSE, TRUE, sizeof (gboolean));
  turn->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_task_set_task_data (task, turn, (GDestroyNotify) turn_free);

  turn->model = sero_model_registry_resolve (self->models, self->model_spec, &error);
  if (turn->model == NULL)
    {
      g_clear_object (&self->cancellable);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  turn->toolbox = sero_toolbox_new (self->runtime, self->gate,
                                    self->interactive ? SERO_FEEDBACK_BRIDGE (self) : NULL);
  turn->system_prompt = build_system_prompt (self);

  /* From here the chain of callbacks owns the task; finish_turn() drops it. */
  self->turn = task;
  owned = g_steal_pointer (&task);
  set_state (self, SERO_SESSION_STATE_RUNNING);
  emit (self, "agent_start", NULL);

  if (!deliver_user_message (owned, text))
    return;
  update_title (self);

  turn_request (owned);
}

gboolean
sero_session_prompt_finish (SeroSession   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (SERO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sero_session_steer:
 * @text: a message for the agent while it works
 *
 * Delivered after the tool call that is running now; the calls the model
 * planned after it are skipped so that it can take the message into
 * account. When no turn runs, this starts one.
 */
void
sero_session_steer (SeroSession *self,
                    const char  *text)
{
  g_return_if_fail (SERO_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  if (self->turn == NULL)
    {
      sero_session_prompt_async (self, text, NULL, NULL, NULL);
      return;
    }

  g_queue_push_tail (&self->steering, g_strdup (text));
}

/**
 * sero_session_abort:
 *
 * Stops the running turn: the model's answer is cut off and the running
 * tool's processes are killed. Nothing happens when the session is idle.
 */
void
sero_session_abort (SeroSession *self)
{
  g_return_if_fail (SERO_IS_SESSION (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/**
 * sero_session_rename:
 *
 * Names the session, in the transcript as pi does.
 */
gboolean
sero_session_rename (SeroSession  *self,
                     const char   *name,
                     GError      **error)
{
  g_autofree char *clean = NULL;
  JsonObject *payload;

  g_return_val_if_fail (SERO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  clean = g_strstrip (g_strdup (name));
  if (clean[0] == '\0' || g_utf8_strlen (clean, -1) > TITLE_MAX * 2)
    {
      g_set_error (error, SERO_SESSION_ERROR, SERO_SESSION_ERROR_INVALID,
                   _("A session name must have between 1 and %d characters"), TITLE_MAX * 2);
      return FALSE;
    }

  if (!sero_session_file_append_session_info (self->file, clean, error))
    return FALSE;

  update_title (self);
  payload = json_object_new ();
  json_object_set_string_member (payload, "name", clean);
  emit (self, "session_name", payload);
  return TRUE;
}

/**
 * sero_session_delete:
 *
 * Removes the transcript. Refused while a turn runs.
 */
gboolean
sero_session_delete (SeroSession  *self,
                     GError      **error)
{
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (SERO_IS_SESSION (self), FALSE);

  if (self->turn != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Stop the agent before deleting the session"));
      return FALSE;
    }

  file = g_file_new_for_path (sero_session_file_get_path (self->file));
  return g_file_delete (file, NULL, error);
}

/* The feedback bridge ---------------------------------------------------- */

typedef struct
{
  SeroSession  *self;
  char         *request_id;
  GCancellable *cancellable;
  gulong        cancelled_id;
} Pending;

static void
pending_free (Pending *pending)
{
  g_free (pending->request_id);
  g_clear_object (&pending->cancellable);
  g_free (pending);
}

static void
resolve_pending (SeroSession *self,
                 GHashTable  *table,
                 const char  *event,
                 const char  *request_id,
                 const char  *answer_field,
                 const char  *answer)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "requestId", request_id);
  if (answer != NULL)
    json_object_set_string_member (payload, answer_field, answer);
  emit (self, event, payload);

  if (g_hash_table_size (self->permissions) == 0 &&
      g_hash_table_size (self->questions) == 0 &&
      self->state == SERO_SESSION_STATE_AWAITING_INPUT)
    set_state (self, self->turn != NULL ? SERO_SESSION_STATE_RUNNING : SERO_SESSION_STATE_IDLE);
}

/* Cancelling a question cannot return from inside the "cancelled" handler
 * (disconnecting there would deadlock), so the answer goes out from idle. */
static gboolean
cancel_permission_idle (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Pending *pending = g_task_get_task_data (task);
  SeroSession *self = pending->self;

  g_autofree char *key = NULL;
  GTask *stored = NULL;

  if (g_hash_table_steal_extended (self->permissions, pending->request_id,
                                   (gpointer *) &key, (gpointer *) &stored))
    {
      g_assert (stored == task);
      g_task_return_int (task, SERO_PERMISSION_CANCELLED);
      resolve_pending (self, self->permissions, "permission_resolved",
                       pending->request_id, "answer", "cancelled");
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
on_permission_cancelled (GCancellable *cancellable,
                         GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_permission_idle, g_object_ref (task), NULL);
}

static void
sero_session_ask_permission_async (SeroFeedbackBridge  *bridge,
                                   const char          *question_id,
                                   const char          *prompt,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SeroSession *self = SERO_SESSION (bridge);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  Pending *pending = g_new0 (Pending, 1);
  JsonObject *payload;

  g_task_set_source_tag (task, sero_session_ask_permission_async);
  pending->self = self;
  pending->request_id = g_strdup (question_id);
  g_task_set_task_data (task, pending, (GDestroyNotify) pending_free);
  g_hash_table_replace (self->permissions, g_strdup (question_id), g_object_ref (task));

  payload = json_object_new ();
  json_object_set_string_member (payload, "requestId", question_id);
  json_object_set_string_member (payload, "prompt", prompt);
  json_object_set_int_member (payload, "expiresAt",
                              now_ms () + sero_bash_gate_get_timeout_ms (self->gate));
  emit (self, "permission_request", payload);
  set_state (self, SERO_SESSION_STATE_AWAITING_INPUT);

  if (cancellable != NULL)
    {
      pending->cancellable = g_object_ref (cancellable);
      pending->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_permission_cancelled),
                                                     task, NULL);
    }
}

static SeroPermissionAnswer
sero_session_ask_permission_finish (SeroFeedbackBridge  *bridge,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  gssize answer = g_task_propagate_int (G_TASK (result), error);

  return answer < 0 ? SERO_PERMISSION_CANCELLED : (SeroPermissionAnswer) answer;
}

static void
sero_session_bridge_iface_init (SeroFeedbackBridgeInterface *iface)
{
  iface->ask_permission_async = sero_session_ask_permission_async;
  iface->ask_permission_finish = sero_session_ask_permission_finish;
}

/**
 * sero_session_answer_permission:
 * @request_id: from the permission_request event
 *
 * Answers a gate question. An unknown or already answered id is ignored:
 * two windows (or a window and a paired phone) may race to answer.
 */
void
sero_session_answer_permission (SeroSession          *self,
                                const char           *request_id,
                                SeroPermissionAnswer  answer)
{
  static const char * const answers[] = { "allow", "block", "cancelled" };
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  Pending *pending;

  g_return_if_fail (SERO_IS_SESSION (self));
  g_return_if_fail (request_id != NULL);

  if (!g_hash_table_steal_extended (self->permissions, request_id, (gpointer *) &key, (gpointer *) &task))
    return;

  pending = g_task_get_task_data (task);
  if (pending->cancellable != NULL)
    g_cancellable_disconnect (pending->cancellable, pending->cancelled_id);
  pending->cancelled_id = 0;

  g_task_return_int (task, answer);
  resolve_pending (self, self->permissions, "permission_resolved", request_id, "answer", answers[answer]);
}

/**
 * sero_session_answer_question:
 * @request_id: from the question_request event
 * @answer: the chosen option or the typed text
 */
void
sero_session_answer_question (SeroSession *self,
                              const char  *request_id,
                              const char  *answer)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  Pending *pending;

  g_return_if_fail (SERO_IS_SESSION (self));
  g_return_if_fail (request_id != NULL);
  g_return_if_fail (answer != NULL);

  if (!g_hash_table_steal_extended (self->questions, request_id, (gpointer *) &key, (gpointer *) &task))
    return;

  pending = g_task_get_task_data (task);
  if (pending->cancellable != NULL)
    g_cancellable_disconnect (pending->cancellable, pending->cancelled_id);
  pending->cancelled_id = 0;

  g_task_return_pointer (task, g_strdup (answer), g_free);
  resolve_pending (self, self->questions, "question_resolved", request_id, "answer", answer);
}
