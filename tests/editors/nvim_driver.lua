-- Headless Neovim driver for test_neovim.py: loads editors/nvim/eventapi.lua as a user would,
-- opens the fixture, waits for the server's diagnostics, fixes the typo through a buffer edit,
-- waits again, and writes what the editor holds as JSON to $EVENTAPI_RESULT.
local env = vim.env
local timeout = tonumber(env.EVENTAPI_TIMEOUT_MS or "30000")
local result = { steps = {} }

local function code_of(diagnostic)
  -- Neovim 0.7 keeps the LSP code only in user_data; later versions also set `code`.
  if diagnostic.code ~= nil then
    return diagnostic.code
  end
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return lsp and lsp.code or nil
end

local function snapshot(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      code = code_of(d),
      message = d.message,
      source = d.source,
    })
  end
  return list
end

local function has_code(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code_of(d) == code then
      return true
    end
  end
  return false
end

local ok, err = pcall(function()
  package.path = env.EVENTAPI_NVIM_DIR .. "/?.lua;" .. package.path
  -- EA201 turned off through the settings: proves they reach the server (EA104 stays on).
  require("eventapi").setup({
    cmd = vim.fn.json_decode(env.EVENTAPI_LSP_CMD),
    settings = { severities = { EA201 = "off" } },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(env.EVENTAPI_FIXTURE))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  result.steps.open = vim.wait(timeout, function()
    return has_code(buf, "EA003")
  end, 20)
  result.opened = snapshot(buf)
  -- Clients count as attached once initialized, so list them after the first diagnostics.
  result.clients = {}
  for _, client in pairs(vim.lsp.buf_get_clients(buf)) do
    table.insert(result.clients, { name = client.name, cmd = client.config.cmd, root_dir = client.config.root_dir })
  end

  -- Fix the misspelling in place; the server sees it through didChange, not a reload.
  for number, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local start = line:find("operatoin", 1, true)
    if start and not line:match("^%s*//") then
      vim.api.nvim_buf_set_text(buf, number - 1, start - 1, number - 1, start - 1 + #"operatoin", { "operation" })
      break
    end
  end
  result.steps.fix = vim.wait(timeout, function()
    return not has_code(buf, "EA003")
  end, 20)
  result.fixed = snapshot(buf)

  -- The corrected file is valid: preview its DDL, then edit the table name and watch it follow.
  local function lines_of(b)
    return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
  end
  local eventapi = require("eventapi")
  local preview = eventapi.preview("ddl", nil, buf)
  result.steps.preview = vim.wait(timeout, function()
    return lines_of(preview):find("CREATE TABLE", 1, true) ~= nil
  end, 20)
  result.preview = { text = lines_of(preview), filetype = vim.bo[preview].filetype }
  for number, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local start = line:find('table: "orders"', 1, true)
    if start then
      local column = start - 1 + #'table: "orders'
      vim.api.nvim_buf_set_text(buf, number - 1, column, number - 1, column, { "_v2" })
      break
    end
  end
  result.steps.preview_follows = vim.wait(timeout, function()
    return lines_of(preview):find("orders_v2", 1, true) ~= nil
  end, 20)
  result.preview_after_edit = lines_of(preview)

  eventapi.generate({ "sink" }, "file", buf)
  result.steps.generate = vim.wait(timeout, function()
    return #vim.fn.glob(vim.fn.getcwd() .. "/gen/**/*.sql", false, true) > 0
  end, 20)
  result.generated = vim.fn.glob(vim.fn.getcwd() .. "/gen/**/*", false, true)
end)

result.error = (not ok) and tostring(err) or vim.NIL
local file = io.open(env.EVENTAPI_RESULT, "w")
file:write(vim.fn.json_encode(result))
file:close()
vim.cmd(ok and "qa!" or "cquit!")
