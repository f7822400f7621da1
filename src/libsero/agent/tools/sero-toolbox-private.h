/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-toolbox.h"

G_BEGIN_DECLS

/* Images larger than this are not sent: base64 makes them a third larger and
 * the providers refuse images past about 5 MB (Anthropic's documented cap). */
#define SERO_TOOL_MAX_IMAGE_BYTES (3 * 1024 * 1024 + 768 * 1024)

/* grep and ls, like pi's. */
#define SERO_TOOL_GREP_DEFAULT_LIMIT 100
#define SERO_TOOL_GREP_MAX_LINE      500
#define SERO_TOOL_LS_DEFAULT_LIMIT   500

/* One tool call in flight: the task data of every execute task. */
typedef struct
{
  char       *id;
  char       *name;
  JsonObject *args;
  char       *path;          /* the path argument, resolved in the runtime */
  char       *display_path;  /* the path argument as the model wrote it */
  char       *text;          /* bash: the command; edit: the new content */
  char       *full_output;   /* bash: the untruncated output being saved */
  JsonObject *details;
  guint       timeout_s;     /* bash */
  guint       limit;         /* ls, grep */
  gboolean    returned;      /* the first result wins; later ones are dropped */
  int         exit_status;   /* bash */
  gboolean    timed_out;     /* bash */
} SeroToolCall;

typedef struct
{
  char     *content;
  gboolean  truncated;
  gboolean  by_bytes;             /* else by lines */
  guint     total_lines;
  gsize     total_bytes;
  guint     output_lines;
  gsize     output_bytes;
  gboolean  last_line_partial;    /* tail: only the end of one huge line */
  gboolean  first_line_too_long;  /* head: the first line alone is past the limit */
} SeroTruncation;

void            _sero_truncation_clear       (SeroTruncation     *truncation);
void            _sero_truncate_head          (const char         *text,
                                              guint               max_lines,
                                              gsize               max_bytes,
                                              SeroTruncation     *out);
void            _sero_truncate_tail          (const char         *text,
                                              guint               max_lines,
                                              gsize               max_bytes,
                                              SeroTruncation     *out);
char           *_sero_format_size            (gsize               bytes);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeroTruncation, _sero_truncation_clear)

/* The toolbox, for the tools' files. */
SeroRuntime        *_sero_toolbox_get_runtime (SeroToolbox        *self);
SeroBashGate       *_sero_toolbox_get_gate    (SeroToolbox        *self);
SeroFeedbackBridge *_sero_toolbox_get_bridge  (SeroToolbox        *self);
const char         *_sero_toolbox_get_root    (SeroToolbox        *self);

/* Completing a call. The tools borrow the task: whoever calls them holds a
 * reference until they return, and every asynchronous step takes its own. */
void            _sero_tool_return            (GTask              *task,
                                              SeroToolResult     *result);
void            _sero_tool_return_error      (GTask              *task,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (2, 3);
void            _sero_tool_return_aborted    (GTask              *task);

/* Runs @request in the runtime for the call in @task (holding a reference
 * to it for @callback). The finish either returns the process result or
 * completes the call itself (aborted, or the runtime failed) and returns
 * %NULL, after which the caller only drops its reference. */
void               _sero_tool_exec           (GTask                 *task,
                                              const SeroExecRequest *request,
                                              GAsyncReadyCallback    callback);
SeroProcessResult *_sero_tool_exec_finish    (GTask                 *task,
                                              GAsyncResult          *result);
char              *_sero_tool_process_error  (SeroProcessResult     *process);

/* Arguments, leniently: models send 5.0 or "5" for 5. */
const char     *_sero_tool_arg_string        (JsonObject         *args,
                                              const char         *name);
gboolean        _sero_tool_arg_uint          (JsonObject         *args,
                                              const char         *name,
                                              guint               fallback,
                                              guint              *value);
gboolean        _sero_tool_arg_bool          (JsonObject         *args,
                                              const char         *name,
                                              gboolean            fallback);

/* The tools; each validates its arguments and completes @task. */
void            _sero_tool_bash_run          (GTask              *task);
void            _sero_tool_read_run          (GTask              *task);
void            _sero_tool_write_run         (GTask              *task);
void            _sero_tool_edit_run          (GTask              *task);
void            _sero_tool_ls_run            (GTask              *task);
void            _sero_tool_grep_run          (GTask              *task);
void            _sero_tool_question_run      (GTask              *task);

/* Host-mode environment for bash (reference §3.6). */
GStrv           _sero_tool_bash_host_environ (const char * const *environ_);

G_END_DECLS
