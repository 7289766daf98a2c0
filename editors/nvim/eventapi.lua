-- EventAPI language server for Neovim 0.7+ (vim.lsp.start_client + vim.lsp.buf_attach_client):
-- starts eventapi-lsp for .proto buffers, one client per project root, and adds
-- :EventApiGenerate, :EventApiPreview and :EventApiRestart.
--
-- Neovim 0.11+ can use vim.lsp.config/vim.lsp.enable instead (see editors/README.md).
--
-- Usage (init.lua), after putting this file on 'runtimepath' as lua/eventapi.lua:
--   require("eventapi").setup({ settings = { outputDir = "gen", flinkVersion = "2.3" } })
local M = {}

M.defaults = {
  -- `eventapi-lsp` speaks LSP on stdio; `{ "/path/python", "-m", "eventapi.server" }` works too.
  cmd = { "eventapi-lsp" },
  filetypes = { "proto" },
  -- The first of these found upward from the file marks the workspace root.
  root_markers = { "buf.work.yaml", "buf.yaml", "pyproject.toml", ".git" },
  -- The server's `eventapi` settings section (same keys and defaults as the VS Code extension).
  settings = {
    includePaths = {},
    outputDir = "gen",
    generators = { "sdk", "sink" },
    flinkVersion = "2.3",
    severities = {},
  },
  preview_debounce_ms = 300,
}

local config = vim.deepcopy(M.defaults)
local clients = {} -- root directory -> client id

local function merged(base, override)
  return vim.tbl_deep_extend("force", vim.deepcopy(base), override or {})
end

-- JSON needs `{}` for the severities map; an empty Lua table would encode as `[]`.
local function server_settings()
  local settings = vim.deepcopy(config.settings)
  if vim.tbl_isempty(settings.severities or {}) then
    settings.severities = vim.empty_dict()
  end
  return settings
end

local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir do
    for _, marker in ipairs(config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.fnamemodify(path, ":p:h")
end

local function live_client(root)
  local id = clients[root]
  if id == nil then
    return nil
  end
  local client = vim.lsp.get_client_by_id(id)
  if client == nil or client.is_stopped() then
    clients[root] = nil
    return nil
  end
  return id
end

local function start(root)
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify(
      string.format("eventapi: %q is not executable; install eventapi[lsp] or set cmd in setup()", config.cmd[1]),
      vim.log.levels.ERROR
    )
    return nil
  end
  local settings = server_settings()
  return vim.lsp.start_client({
    name = "eventapi",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    -- Served to the server's workspace/configuration requests for section "eventapi".
    settings = { eventapi = settings },
    on_exit = function(code, signal)
      if code ~= 0 then
        vim.schedule(function()
          vim.notify(string.format("eventapi-lsp exited (code %d, signal %d)", code, signal), vim.log.levels.WARN)
        end)
      end
    end,
  })
end

--- Attaches the buffer to the eventapi client of its project, starting one when needed.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  local root = find_root(name)
  local id = live_client(root) or start(root)
  if id == nil then
    return nil
  end
  clients[root] = id
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function client_for(bufnr)
  -- vim.lsp.get_clients replaces buf_get_clients from Neovim 0.10 on.
  local attached = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(attached) do
    if client.name == "eventapi" then
      return client
    end
  end
  return nil
end

--- Runs the server's eventapi.generate command (kinds: "sdk", "sink"; scope: "file" or "workspace").
function M.generate(kinds, scope, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if client == nil then
    vim.notify("eventapi: no language server attached to this buffer", vim.log.levels.ERROR)
    return
  end
  local args = { scope = scope, kinds = kinds }
  if scope == "file" then
    args.uri = vim.uri_from_bufnr(bufnr)
  end
  client.request("workspace/executeCommand", { command = "eventapi.generate", arguments = { args } }, function(err, result)
    if err then
      vim.notify("eventapi generate failed: " .. err.message, vim.log.levels.ERROR)
    elseif result.errors > 0 then
      vim.notify(string.format("eventapi: %d error(s) stopped generation (see diagnostics)", result.errors), vim.log.levels.ERROR)
    else
      vim.notify(string.format("eventapi: %d file(s) written, %d unchanged", #result.written, #result.unchanged))
    end
  end, bufnr)
end

local previews = {} -- preview buffer -> { source = bufnr, kind = ..., target = ... }

local function fill_preview(preview_buf)
  local spec = previews[preview_buf]
  if spec == nil or not vim.api.nvim_buf_is_valid(preview_buf) then
    previews[preview_buf] = nil
    return
  end
  local client = client_for(spec.source)
  if client == nil then
    return
  end
  local params = { uri = vim.uri_from_bufnr(spec.source), kind = spec.kind, target = spec.target }
  client.request("eventapi/preview", params, function(err, result)
    if not vim.api.nvim_buf_is_valid(preview_buf) then
      return
    end
    local text
    if err then
      local comment = spec.kind == "sdk" and "#" or "--"
      text = comment .. " EventAPI preview unavailable: " .. err.message
    else
      text = result.text
      vim.api.nvim_buf_set_option(preview_buf, "filetype", result.language)
    end
    vim.api.nvim_buf_set_option(preview_buf, "modifiable", true)
    vim.api.nvim_buf_set_lines(preview_buf, 0, -1, false, vim.split(text, "\n", { plain = true }))
    vim.api.nvim_buf_set_option(preview_buf, "modifiable", false)
  end, spec.source)
end

--- Opens the generated SDK / DDL / Flink SQL ("sdk", "ddl", "flink") in a split that follows edits.
function M.preview(kind, target, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local source_win = vim.api.nvim_get_current_win()
  vim.cmd("vsplit")
  local preview_buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_win_set_buf(0, preview_buf)
  vim.api.nvim_buf_set_name(preview_buf, string.format("eventapi-preview://%s.%s", vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":t:r"), kind))
  vim.api.nvim_buf_set_option(preview_buf, "bufhidden", "wipe")
  previews[preview_buf] = { source = bufnr, kind = kind, target = target }
  local timer = vim.loop.new_timer()
  -- on_lines sees every change (typing, API edits, undo); TextChanged would miss some.
  vim.api.nvim_buf_attach(bufnr, false, {
    on_lines = function()
      if previews[preview_buf] == nil then
        return true -- detaches this callback
      end
      -- Debounced: one request after the edits pause, not one per keystroke.
      timer:stop()
      timer:start(config.preview_debounce_ms, 0, vim.schedule_wrap(function()
        fill_preview(preview_buf)
      end))
    end,
  })
  vim.api.nvim_create_autocmd("BufWipeout", {
    buffer = preview_buf,
    callback = function()
      previews[preview_buf] = nil
      timer:stop()
      timer:close()
    end,
  })
  fill_preview(preview_buf)
  vim.api.nvim_set_current_win(source_win)
  return preview_buf
end

--- Stops every eventapi client and re-attaches its buffers to a fresh one.
function M.restart()
  for root, id in pairs(clients) do
    local buffers = vim.lsp.get_buffers_by_client_id(id)
    vim.lsp.stop_client(id, true)
    clients[root] = nil
    -- The old client needs a moment to exit before the buffers can attach to a new one.
    vim.defer_fn(function()
      for _, buf in ipairs(buffers) do
        M.attach(buf)
      end
    end, 200)
  end
end

function M.setup(opts)
  config = merged(M.defaults, opts)
  local group = vim.api.nvim_create_augroup("eventapi_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command("EventApiGenerate", function(command)
    local what = command.fargs[1] or "all"
    local kinds = ({ sdk = { "sdk" }, sql = { "sink" }, all = config.settings.generators })[what]
    if kinds == nil then
      vim.notify("eventapi: :EventApiGenerate sdk|sql|all [workspace]", vim.log.levels.ERROR)
      return
    end
    M.generate(kinds, command.fargs[2] == "workspace" and "workspace" or "file")
  end, { nargs = "*", complete = function() return { "sdk", "sql", "all", "workspace" } end })
  vim.api.nvim_create_user_command("EventApiPreview", function(command)
    M.preview(command.fargs[1] or "sdk", command.fargs[2])
  end, { nargs = "*", complete = function() return { "sdk", "ddl", "flink" } end })
  vim.api.nvim_create_user_command("EventApiRestart", M.restart, {})
  -- Buffers opened before setup() ran.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
end

return M
