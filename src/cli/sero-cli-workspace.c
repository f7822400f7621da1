/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sero.h"
#include "sero-cli.h"

#define USAGE \
  "sero workspace list [--json] | add PATH [--name N] [--runtime host|docker|apple-container] | " \
  "remove ID | set-runtime ID BACKEND | mount add ID PATH [--read-only] | mount remove ID PATH | " \
  "reference add ID OTHER_ID [--read-only] | reference remove ID OTHER_ID"

static void
add_strv_member (JsonBuilder        *builder,
                 const char         *name,
                 const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static int
workspace_list (SeroCliContext *context,
                gboolean        json)
{
  GListModel *model = G_LIST_MODEL (context->registry);
  guint n = g_list_model_get_n_items (model);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "workspaces");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SeroWorkspace) ws = g_list_model_get_item (model, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, sero_workspace_get_id (ws));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, sero_workspace_get_name (ws));
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, sero_workspace_get_path (ws));
          json_builder_set_member_name (builder, "open");
          json_builder_add_boolean_value (builder, sero_workspace_get_open (ws));
          json_builder_set_member_name (builder, "runtime");
          json_builder_add_string_value (builder, sero_runtime_backend_to_string (sero_workspace_get_backend (ws)));
          add_strv_member (builder, "mounts", sero_workspace_get_mounts (ws));
          add_strv_member (builder, "readOnlyMounts", sero_workspace_get_read_only_mounts (ws));
          add_strv_member (builder, "references", sero_workspace_get_references (ws));
          add_strv_member (builder, "readOnlyReferences", sero_workspace_get_read_only_references (ws));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      text = sero_json_to_string (root);
      g_print ("%s", text);
      return SERO_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SeroWorkspace) ws = g_list_model_get_item (model, i);
      guint mounts = sero_workspace_get_mount_count (ws);

      g_print ("%s\t%s\t%s\t%s", sero_workspace_get_id (ws), sero_workspace_get_name (ws),
               sero_runtime_backend_to_string (sero_workspace_get_backend (ws)),
               sero_workspace_get_path (ws));
      if (mounts > 0)
        {
          g_print ("\t");
          g_print (g_dngettext (GETTEXT_PACKAGE, "%u mount", "%u mounts", mounts), mounts);
        }
      g_print ("\n");
    }

  return SERO_CLI_EXIT_OK;
}

static int
parse_backend (const char         *text,
               SeroRuntimeBackend *backend)
{
  if (!sero_runtime_backend_from_string (text, backend))
    return sero_cli_usage_error (USAGE, "unknown runtime “%s”: use host, docker or apple-container", text);

  return SERO_CLI_EXIT_OK;
}

/* A changed backend or mount set applies through the runtime: the old
 * container is removed when leaving the container backend, and a running
 * container is recreated now with the new mounts (nothing of the CLI holds
 * a terminal open, so there is nothing to defer for). */
static void
apply_to_runtime (SeroCliContext     *context,
                  SeroWorkspace      *workspace,
                  SeroRuntimeBackend  old_backend)
{
  g_autoptr(GError) error = NULL;
  SeroRuntime *runtime;

  if (old_backend != sero_workspace_get_backend (workspace) &&
      old_backend != SERO_RUNTIME_BACKEND_HOST)
    {
      g_autoptr(SeroWorkspace) before = sero_workspace_new (sero_workspace_get_id (workspace),
                                                            sero_workspace_get_path (workspace));
      g_autoptr(SeroRuntime) old_runtime = NULL;

      sero_workspace_set_backend (before, old_backend);
      sero_runtime_manager_forget (context->manager, workspace);
      old_runtime = g_object_ref (sero_runtime_manager_get_runtime (context->manager, before));
      sero_runtime_manager_forget (context->manager, before);
      if (!sero_runtime_destroy_sync (old_runtime, NULL, &error))
        g_printerr (_("sero: the old container was kept: %s\n"), error->message);
      return;
    }

  runtime = sero_runtime_manager_get_runtime (context->manager, workspace);
  if (!sero_runtime_is_container (runtime) ||
      !sero_runtime_refresh_sync (runtime, NULL, NULL) ||
      sero_runtime_get_status (runtime) != SERO_RUNTIME_STATUS_RUNNING)
    return;

  if (sero_runtime_manager_ensure_sync (context->manager, workspace, NULL, &error) == NULL)
    g_printerr (_("sero: changes apply at the next start: %s\n"), error->message);
}

int
sero_cli_workspace (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_auto(SeroCliContext) context = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *runtime_name = NULL;
  gboolean json = FALSE;
  gboolean read_only = FALSE;
  const char *verb;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("add: display name"), N_("NAME") },
    { "runtime", 0, 0, G_OPTION_ARG_STRING, &runtime_name, N_("add: host, docker or apple-container"), N_("BACKEND") },
    { "read-only", 0, 0, G_OPTION_ARG_NONE, &read_only, N_("mount add, reference add: mount read-only"), NULL },
    { NULL }
  };

  options = g_option_context_new ("list|add|remove|set-runtime|mount|reference …");
  g_option_context_set_summary (options, _("Workspaces are folders, each with its own runtime: the host, "
                                           "a Podman or Docker container, or an Apple container."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!sero_cli_parse (options, &argc, &argv, USAGE, &exit_code))
    return exit_code;

  if (argc < 2)
    return sero_cli_usage_error (USAGE, "“workspace” needs a subcommand");
  verb = argv[1];

  if (!g_strv_contains ((const char *[]) { "list", "add", "remove", "set-runtime", "mount", "reference", NULL }, verb))
    return sero_cli_usage_error (USAGE, "unknown workspace subcommand “%s”", verb);

  if (!sero_cli_context_init (&context, &error))
    return sero_cli_error (error);

  if (g_str_equal (verb, "list"))
    {
      if (argc != 2)
        return sero_cli_usage_error (USAGE, "unexpected argument “%s”", argv[2]);
      return workspace_list (&context, json);
    }

  if (g_str_equal (verb, "add"))
    {
      SeroRuntimeBackend backend;
      SeroWorkspace *workspace;

      if (argc != 3)
        return sero_cli_usage_error (USAGE, "“workspace add” needs one PATH");
      if (runtime_name != NULL && (exit_code = parse_backend (runtime_name, &backend)))
        return exit_code;

      if (!(workspace = sero_workspace_registry_add (context.registry, argv[2], name,
                                                     runtime_name ? &backend : NULL, &error)))
        return sero_cli_error (error);

      g_print ("%s\t%s\n", sero_workspace_get_id (workspace), sero_workspace_get_path (workspace));
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "remove"))
    {
      g_autoptr(SeroWorkspace) workspace = NULL;
      SeroWorkspace *found;

      if (argc != 3)
        return sero_cli_usage_error (USAGE, "“workspace remove” needs one ID");
      if (!(found = sero_cli_context_lookup (&context, argv[2], &error)))
        return sero_cli_error (error);

      workspace = g_object_ref (found);
      if (!sero_workspace_registry_remove (context.registry, argv[2], &error))
        return sero_cli_error (error);

      /* The folder stays; its container goes, through the durable queue so
       * an engine that is down right now does not leak it. */
      if (sero_workspace_get_backend (workspace) != SERO_RUNTIME_BACKEND_HOST)
        {
          guint left;

          sero_runtime_manager_forget (context.manager, workspace);
          if (!sero_runtime_manager_queue_removal (context.manager, "docker",
                                                   sero_workspace_get_id (workspace),
                                                   sero_workspace_get_path (workspace), &error))
            return sero_cli_error (error);
          left = sero_runtime_manager_process_cleanup_sync (context.manager, NULL, NULL);
          if (left > 0)
            g_printerr (_("sero: the container of %s will be removed when the container engine is available\n"),
                        sero_workspace_get_id (workspace));
        }

      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "set-runtime"))
    {
      SeroRuntimeBackend backend, old_backend;
      SeroWorkspace *workspace;

      if (argc != 4)
        return sero_cli_usage_error (USAGE, "“workspace set-runtime” needs an ID and a BACKEND");
      if ((exit_code = parse_backend (argv[3], &backend)))
        return exit_code;
      if (!(workspace = sero_cli_context_lookup (&context, argv[2], &error)))
        return sero_cli_error (error);

      old_backend = sero_workspace_get_backend (workspace);
      if (!sero_workspace_registry_set_backend (context.registry, argv[2], backend, &error))
        return sero_cli_error (error);

      apply_to_runtime (&context, workspace, old_backend);
      return SERO_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "reference"))
    {
      SeroWorkspace *workspace;
      gboolean adding;

      if (argc != 5 || !(g_str_equal (argv[2], "add") || g_str_equal (argv[2], "remove")))
        return sero_cli_usage_error (USAGE, "use “workspace reference add ID OTHER_ID” or "
                                            "“workspace reference remove ID OTHER_ID”");

      adding = g_str_equal (argv[2], "add");
      if (!(workspace = sero_cli_context_lookup (&context, argv[3], &error)))
        return sero_cli_error (error);

      /* Only registered workspaces can be added; one removed later is
       * skipped at container start and reported in the status. */
      if (adding && !sero_cli_context_lookup (&context, argv[4], &error))
        return sero_cli_error (error);

      if ((adding ? !sero_workspace_add_reference (workspace, argv[4], read_only, &error)
                  : !sero_workspace_remove_reference (workspace, argv[4], &error)) ||
          !sero_workspace_save_config (workspace, &error))
        return sero_cli_error (error);

      apply_to_runtime (&context, workspace, sero_workspace_get_backend (workspace));
      return SERO_CLI_EXIT_OK;
    }

  /* mount add|remove ID PATH */
  {
    SeroWorkspace *workspace;
    gboolean adding;

    if (argc != 5 || !(g_str_equal (argv[2], "add") || g_str_equal (argv[2], "remove")))
      return sero_cli_usage_error (USAGE, "use “workspace mount add ID PATH” or “workspace mount remove ID PATH”");

    adding = g_str_equal (argv[2], "add");
    if (!(workspace = sero_cli_context_lookup (&context, argv[3], &error)))
      return sero_cli_error (error);

    if (adding && !g_file_test (argv[4], G_FILE_TEST_IS_DIR))
      g_printerr (_("sero: %s does not exist yet; it is skipped until it does\n"), argv[4]);

    if ((adding ? !sero_workspace_add_mount (workspace, argv[4], read_only, &error)
                : !sero_workspace_remove_mount (workspace, argv[4], &error)) ||
        !sero_workspace_save_config (workspace, &error))
      return sero_cli_error (error);

    apply_to_runtime (&context, workspace, sero_workspace_get_backend (workspace));
    return SERO_CLI_EXIT_OK;
  }
}
