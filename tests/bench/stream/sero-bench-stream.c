/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-runtime-host.h"
#include "sero-session-view-private.h"

/* sero-bench-stream MODE [TOKENS] [RATE]
 *
 * Streams TOKENS Markdown tokens (default 20000) at RATE tokens a second
 * (default 4000, some twenty times what a fast model sends) into one
 * widget, and prints one line:
 *
 *   MODE total_ms frames median_frame_ms p95_frame_ms max_frame_ms
 *
 * MODE is `view` (SeroSessionView, fed through its event entry point as
 * the session's "event" signal feeds it), `label` (a GtkLabel whose text
 * is re-set with everything so far on every token: the naive way) or
 * `textview` (a GtkTextBuffer appended to: plain text, no Markdown).
 * Frame times are the deltas between frame-clock ticks while the stream
 * runs; the total runs from the first token to the first frame painted
 * after the last one. Tokens are fed from a timer against the wall clock,
 * so a UI that falls behind receives bigger batches, as it would from a
 * socket. tests/bench/stream/run drives this; it never asserts. */

typedef struct
{
  const char *mode;
  GPtrArray  *tokens;
  guint       next;
  double      rate;
  gint64      start;
  gint64      end;
  gint64      last_frame;
  GArray     *frames;      /* double, ms */
  GString    *text;
  GtkWidget  *target;
  GMainLoop  *loop;
  gboolean    done;
} Bench;

static const char *paragraphs[] = {
  "## A step\n\nThe build failed because the *linker* could not find `libfoo.so`; "
  "the fix is to add it to the [dependency list](https://example.org/deps) and rebuild.\n\n",
  "- first, check `meson.build`\n- then **re-run** the configure step\n- finally run the tests\n\n",
  "```c\nstatic int\nadd (int a, int b)\n{\n  return a + b;\n}\n```\n\n",
  "Long paragraphs matter too, since a chat answer is mostly prose: the view should only lay out "
  "the open block while it grows, and leave everything above it alone, however long the answer "
  "already is. This sentence keeps going for a while to make a realistic paragraph of text.\n\n",
  "> A quote, with a line of context for the reader.\n\n",
  "| column | value |\n| --- | --- |\n| a | 1 |\n| b | 2 |\n\n",
};

/* Roughly four characters a token, cut at word edges where possible. */
static GPtrArray *
make_tokens (guint n)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  guint section = 0;

  while (tokens->len < n)
    {
      const char *chunk = paragraphs[section % G_N_ELEMENTS (paragraphs)];
      const char *p = chunk;

      section++;
      while (*p && tokens->len < n)
        {
          gsize len = MIN (strlen (p), 4);

          while (p[len] != '\0' && p[len] != ' ' && p[len] != '\n' && len < 7)
            len++;
          g_ptr_array_add (tokens, g_strndup (p, len));
          p += len;
        }
    }

  return tokens;
}

static void
feed_view (Bench      *bench,
           const char *token)
{
  g_autoptr(JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "messageId", "bench");
  json_object_set_int_member (payload, "contentIndex", 0);
  json_object_set_string_member (payload, "delta", token);
  _sero_session_view_handle_event (SERO_SESSION_VIEW (bench->target), "text_delta", payload);
}

static void
feed (Bench      *bench,
      const char *token)
{
  if (g_str_equal (bench->mode, "view"))
    feed_view (bench, token);
  else if (g_str_equal (bench->mode, "label"))
    {
      g_string_append (bench->text, token);
      gtk_label_set_text (GTK_LABEL (bench->target), bench->text->str);
    }
  else
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (bench->target));
      GtkTextIter end;

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, token, -1);
    }
}

static gboolean
on_feed (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  guint due;

  if (bench->start == 0)
    bench->start = now;

  due = MIN (bench->tokens->len, (guint) ((now - bench->start) / 1e6 * bench->rate) + 1);
  while (bench->next < due)
    feed (bench, g_ptr_array_index (bench->tokens, bench->next++));

  return bench->next < bench->tokens->len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Bench *bench = user_data;
  gint64 frame = gdk_frame_clock_get_frame_time (clock);

  if (bench->start != 0 && bench->last_frame != 0)
    {
      double ms = (frame - bench->last_frame) / 1000.0;

      g_array_append_val (bench->frames, ms);
    }
  bench->last_frame = frame;
  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  /* The view applies text once per frame; the frame that follows the last
   * token is the one that shows it. */
  if (bench->next == bench->tokens->len && bench->end == 0 && bench->start != 0)
    {
      if (g_str_equal (bench->mode, "view") && !bench->done)
        {
          bench->done = TRUE;
          return;
        }
      bench->end = g_get_monotonic_time ();
      g_main_loop_quit (bench->loop);
    }
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static GtkWidget *
make_view (const char *dir)
{
  g_autofree char *agent = g_build_filename (dir, "agent", NULL);
  g_autofree char *sessions = g_build_filename (agent, "sessions", NULL);
  g_autofree char *models_json = g_build_filename (agent, "models.json", NULL);
  g_autoptr(SeroModelRegistry) models = NULL;
  g_autoptr(SeroWorkspace) workspace = NULL;
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(SeroSessionFile) file = NULL;
  g_autoptr(SeroSession) session = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (sessions, 0700);
  /* A model the view can offer; nothing is ever sent to it. */
  if (!g_file_set_contents (models_json,
                            "{\"providers\": {\"bench\": {\"baseUrl\": \"http://127.0.0.1:9/v1\", "
                            "\"api\": \"openai-completions\", \"apiKey\": \"none\", "
                            "\"models\": [{\"id\": \"bench\"}]}}}", -1, &error))
    g_error ("%s", error->message);

  models = sero_model_registry_new (agent);
  sero_model_registry_load (models, NULL);
  workspace = sero_workspace_new ("bench", dir);
  runtime = sero_runtime_host_new (workspace);
  if (!(file = sero_session_file_create (sessions, dir, &error)))
    g_error ("%s", error->message);
  session = sero_session_new (file, runtime, models);

  return sero_session_view_new (session, models);
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };
  g_autofree char *dir = NULL;
  GtkWidget *window, *scroller;
  GdkFrameClock *clock;
  double median = 0, p95 = 0, max = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s view|label|textview [TOKENS] [RATE]\n", argv[0]);
      return 2;
    }

  gtk_init ();
  adw_init ();

  bench.mode = argv[1];
  bench.tokens = make_tokens (argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 20000);
  bench.rate = argc > 3 ? g_ascii_strtod (argv[3], NULL) : 4000;
  bench.frames = g_array_new (FALSE, FALSE, sizeof (double));
  bench.text = g_string_new (NULL);
  bench.loop = g_main_loop_new (NULL, FALSE);
  dir = g_dir_make_tmp ("sero-bench-stream-XXXXXX", NULL);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1000);

  if (g_str_equal (bench.mode, "view"))
    {
      bench.target = make_view (dir);
      gtk_window_set_child (GTK_WINDOW (window), bench.target);
      _sero_session_view_handle_event (SERO_SESSION_VIEW (bench.target), "message_start",
                                       json_node_get_object (json_from_string (
                                         "{\"messageId\": \"bench\", \"message\": {\"role\": \"assistant\", \"content\": []}}",
                                         NULL)));
    }
  else
    {
      if (g_str_equal (bench.mode, "label"))
        {
          bench.target = gtk_label_new (NULL);
          gtk_label_set_wrap (GTK_LABEL (bench.target), TRUE);
          gtk_label_set_xalign (GTK_LABEL (bench.target), 0);
          gtk_widget_set_valign (bench.target, GTK_ALIGN_START);
        }
      else if (g_str_equal (bench.mode, "textview"))
        {
          bench.target = gtk_text_view_new ();
          gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (bench.target), GTK_WRAP_WORD_CHAR);
        }
      else
        g_error ("unknown mode %s", bench.mode);

      scroller = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), bench.target);
      gtk_window_set_child (GTK_WINDOW (window), scroller);
    }

  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  gtk_widget_add_tick_callback (window, on_tick, &bench, NULL);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &bench);

  /* Settle, then stream. */
  g_timeout_add (500, quit_loop, bench.loop);
  g_main_loop_run (bench.loop);
  g_timeout_add (1, on_feed, &bench);
  g_main_loop_run (bench.loop);

  if (bench.frames->len > 0)
    {
      g_array_sort (bench.frames, compare_double);
      median = g_array_index (bench.frames, double, bench.frames->len / 2);
      p95 = g_array_index (bench.frames, double, MIN (bench.frames->len - 1, (guint) (bench.frames->len * 0.95)));
      max = g_array_index (bench.frames, double, bench.frames->len - 1);
    }

  g_print ("%s %.1f %u %.2f %.2f %.2f\n", bench.mode, (bench.end - bench.start) / 1000.0,
           bench.frames->len, median, p95, max);

  gtk_window_destroy (GTK_WINDOW (window));
  {
    g_autoptr(GFile) tmp = g_file_new_for_path (dir);

    sero_file_delete_tree (tmp, NULL, NULL);
  }
  return 0;
}
