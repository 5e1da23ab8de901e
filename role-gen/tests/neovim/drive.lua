-- Drives a real Neovim, configured by the README's snippet alone, through role-gen lsp on the
-- roles.toml it opened (see tests/neovim.rs). Each step waits for the server as a user would,
-- at most 20 s; what it saw goes to $NVIM_REPORT as JSON, then Neovim quits.
local report = { steps = {} }
local function step(name, ok) table.insert(report.steps, { name = name, ok = ok }) end
local function finish()
  local file = assert(io.open(os.getenv('NVIM_REPORT'), 'w'))
  file:write(vim.json.encode(report))
  file:close()
  vim.cmd('qa!')
end
local buf = vim.api.nvim_get_current_buf()
local function find(text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(text, 1, true)
    if col then return i - 1, col - 1 end
  end
end

report.filetype = vim.bo.filetype
step('diagnostics', vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20))
report.clients = vim.tbl_map(function(c) return c.name end, vim.lsp.get_clients({ bufnr = buf }))
report.diagnostics = vim.tbl_map(function(d)
  return { line = d.lnum, col = d.col, code = d.code, message = d.message }
end, vim.diagnostic.get(buf))

-- Completion inside the misspelt name's quotes, and the outline.
local line, col = find('"nope"')
local at = { textDocument = vim.lsp.util.make_text_document_params(buf), position = { line = line, character = col + 1 } }
local completion = vim.lsp.buf_request_sync(buf, 'textDocument/completion', at, 20000) or {}
report.completion = {}
for _, answer in pairs(completion) do
  for _, item in ipairs((answer.result or {}).items or {}) do table.insert(report.completion, item.label) end
end
local symbols = vim.lsp.buf_request_sync(buf, 'textDocument/documentSymbol',
  { textDocument = vim.lsp.util.make_text_document_params(buf) }, 20000) or {}
report.symbols = {}
for _, answer in pairs(symbols) do
  for _, symbol in ipairs(answer.result or {}) do table.insert(report.symbols, symbol.name) end
end

-- The misspelt name fixed as the user types it: the diagnostics go.
vim.api.nvim_buf_set_text(buf, line, col + 1, line, col + 5, { os.getenv('NVIM_FIX') })
step('fixed', vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20))

-- Formatting through the server, as `:lua vim.lsp.buf.format()` does.
vim.lsp.buf.format({ bufnr = buf, async = false, timeout_ms = 20000 })
report.formatted = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
finish()
