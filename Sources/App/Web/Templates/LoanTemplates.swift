/// Loan pages: list, origination, the loan's page with its actions, the printable statement, the borrower's portal.
enum LoanTemplates {
    static let list = """
        {{<layout}}{{$body}}
        <form method="get" action="/creditos" class="filters">
          <label>Estado <select name="estado" id="estado"><option value="">Todos</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
          <button type="submit">Filtrar</button>
        </form>
        <table id="creditos">
          <thead><tr><th>Crédito</th><th>Cliente</th><th>Producto</th><th>Monto</th><th>Plazo</th><th>Estado</th><th>Alta</th></tr></thead>
          <tbody>
          {{#loans}}<tr><td><a href="/creditos/{{id}}">{{id}}</a></td><td><a href="/clientes/{{clientId}}">{{client}}</a></td><td>{{product}}</td><td>{{amount}}</td><td>{{term}}</td><td>{{status}}</td><td>{{createdAt}}</td></tr>{{/loans}}
          {{^loans}}<tr><td colspan="7">No hay créditos con ese estado.</td></tr>{{/loans}}
          </tbody>
        </table>
        {{#canOriginate}}<p><a href="/creditos/nuevo" id="nueva-solicitud">Nueva solicitud</a> (o desde la ficha del cliente)</p>{{/canOriginate}}
        {{/body}}{{/layout}}
        """

    static let new = """
        {{<layout}}{{$body}}
        {{#hasIssues}}<ul class="error" id="errores">{{#issues}}<li>{{message}}</li>{{/issues}}</ul>{{/hasIssues}}
        <form method="get" action="/creditos/nuevo" class="filters">
          <label>Cliente <input name="cliente" id="cliente" value="{{form.cliente}}" maxlength="40" placeholder="cl_…" required></label>
          <label>Producto <select name="producto" id="producto">{{#products}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{name}} (v{{version}})</option>{{/products}}</select></label>
          <label>Monto <input name="monto" id="monto" value="{{form.monto}}" inputmode="decimal" maxlength="20" required></label>
          <label>Plazo (pagos) <input name="plazo" id="plazo" value="{{form.plazo}}" inputmode="numeric" maxlength="4" required></label>
          <button type="submit" id="cotizar">Cotizar</button>
        </form>
        {{#limits}}<p class="hint">{{limits}}</p>{{/limits}}
        {{#client}}<p>Cliente: <a href="/clientes/{{id}}">{{name}}</a></p>{{/client}}
        {{#quote}}
        <section class="tiles">
          <div class="tile"><strong id="pago">{{payment}}</strong><span>pago {{frequency}}</span></div>
          <div class="tile"><strong id="cat">CAT {{cat}}%</strong><span>sin IVA. Para fines informativos y de comparación</span></div>
          <div class="tile"><strong>{{totalPaid}}</strong><span>total a pagar</span></div>
        </section>
        <form method="post" action="/creditos" class="card wide">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="cliente" value="{{form.cliente}}">
          <input type="hidden" name="producto" value="{{#products}}{{#selected}}{{code}}{{/selected}}{{/products}}">
          <input type="hidden" name="monto" value="{{form.monto}}">
          <input type="hidden" name="plazo" value="{{form.plazo}}">
          <label for="nota">Nota para el comité (opcional)</label><textarea id="nota" name="nota" maxlength="500">{{form.nota}}</textarea>
          <button type="submit" id="registrar-solicitud">Registrar solicitud</button>
        </form>
        <table id="tabla"><thead><tr><th>#</th><th>Vence</th><th>Pago</th><th>Saldo</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{number}}</td><td>{{dueDate}}</td><td>{{payment}}</td><td>{{balance}}</td></tr>{{/rows}}</tbody></table>
        {{/quote}}
        {{/body}}{{/layout}}
        """

    /// The schedule and position, shared by the staff page and the portal.
    static let schedule = """
        {{#position}}
        <section class="tiles">
          <div class="tile"><strong id="saldo-capital">{{principal}}</strong><span>capital al {{asOf}}</span></div>
          <div class="tile"><strong id="exigible">{{due}}</strong><span>exigible hoy</span></div>
          <div class="tile"><strong>{{payoff}}</strong><span>para liquidar hoy</span></div>
          <div class="tile"><strong id="dias-atraso">{{daysPastDue}}</strong><span>días de atraso{{#nonPerforming}} · cartera vencida{{/nonPerforming}}</span></div>
          <div class="tile"><strong>{{next}}</strong><span>próximo pago</span></div>
        </section>
        {{/position}}
        {{#terms}}<p class="hint">Dispuesto el {{date}}: capital {{principal}}, entregado {{disbursed}} (comisión {{fee}} + IVA {{feeIva}}). Tasa ordinaria {{rate}}% anual, moratoria {{moratoriumRate}}% anual. <strong>{{legend}}</strong></p>{{/terms}}
        {{#hasRows}}
        <table id="tabla-pagos">
          <thead><tr><th>#</th><th>Vence</th><th>Pago</th><th>Capital</th><th>Interés</th><th>IVA</th><th>Moratorios / comisión</th><th>Pagado</th><th>Restante</th><th>Estado</th></tr></thead>
          <tbody>{{#rows}}<tr{{#late}} class="late"{{/late}}><td>{{number}}</td><td>{{dueDate}}</td><td>{{payment}}</td><td>{{principal}}</td><td>{{interest}}</td><td>{{iva}}</td><td>{{charges}}</td><td>{{paid}}</td><td>{{remaining}}</td><td>{{state}}</td></tr>{{/rows}}</tbody>
        </table>
        {{/hasRows}}
        """

    static let detail = """
        {{<layout}}{{$body}}
        {{#record}}
        <dl class="facts">
          <dt>Cliente</dt><dd><a href="/clientes/{{clientId}}">{{client}}</a></dd>
          <dt>Producto</dt><dd>{{product}}</dd>
          <dt>Estado</dt><dd id="estado-credito">{{loan.status}}</dd>
          <dt>Monto solicitado</dt><dd>{{loan.amount}} en {{loan.term}} pagos</dd>
          <dt>Solicitud</dt><dd>{{createdAt}} por {{createdBy}}</dd>
          {{#decidedAt}}<dt>Decisión</dt><dd>{{decidedAt}} por {{decidedBy}}{{#note}}: {{note}}{{/note}}</dd>{{/decidedAt}}
          {{#disbursedOn}}<dt>Disposición</dt><dd>{{disbursedOn}} por {{channel}}{{#reference}} (ref. {{reference}}){{/reference}}</dd>{{/disbursedOn}}
          {{#restructuredFrom}}<dt>Reestructura de</dt><dd><a href="/creditos/{{restructuredFrom}}">{{restructuredFrom}}</a></dd>{{/restructuredFrom}}
        </dl>
        {{/record}}
        {{#score}}<section class="card" id="puntaje"><h2>Puntaje de originación: {{score}} — {{recommendation}}</h2>
          <p>Tarjeta versión {{version}}; probabilidad de incumplir {{probability}} %; calificado {{at}} por {{by}}.</p>
          {{#hasReasons}}<p>Principales razones en contra:</p><ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>{{/hasReasons}}</section>{{/score}}
        {{>loan_schedule}}
        {{#actions.statement}}<p><a href="/creditos/{{loan.id}}/estado-de-cuenta" id="estado-de-cuenta">Estado de cuenta</a> · <a href="/cobranza/creditos/{{loan.id}}" id="cobranza">Cobranza: consentimientos, pausas, promesas y mensajes</a></p>{{/actions.statement}}
        <section class="actions">
        {{#actions.approve}}
        <form method="post" action="/creditos/{{loan.id}}/aprobar" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label for="nota-aprobacion">Nota de la aprobación</label><input id="nota-aprobacion" name="nota" maxlength="500">
          <button type="submit" id="aprobar">Aprobar</button></form>
        {{/actions.approve}}
        {{#actions.disburse}}
        <form method="post" action="/creditos/{{loan.id}}/disponer" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label for="fecha-disposicion">Fecha</label><input id="fecha-disposicion" name="fecha" type="date" value="{{today}}" max="{{today}}">
          <label for="canal-disposicion">Canal</label><select id="canal-disposicion" name="canal"><option value="spei">SPEI</option><option value="transferencia">Transferencia</option><option value="efectivo">Efectivo</option></select>
          <label for="referencia-disposicion">Referencia (clave de rastreo, cheque…)</label><input id="referencia-disposicion" name="referencia" maxlength="64">
          <button type="submit" id="disponer">Disponer</button></form>
        {{/actions.disburse}}
        {{#actions.speiDisburse}}
        <form method="post" action="/creditos/{{loan.id}}/spei" class="card" id="dispersar-spei"><input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Dispersar por SPEI (STP)</h2>
          <p>La orden se firma y se envía a STP; el crédito queda dispuesto al aceptarla y la disposición se liquida o se revierte con el aviso de STP.</p>
          <label for="clabe-spei">CLABE del acreditado</label><input id="clabe-spei" name="clabe" inputmode="numeric" maxlength="18" required>
          <label for="beneficiario-spei">Titular de la cuenta</label><input id="beneficiario-spei" name="beneficiario" maxlength="60" required>
          <label for="rfc-spei">RFC o CURP del titular (opcional)</label><input id="rfc-spei" name="rfc" maxlength="18">
          <button type="submit" id="enviar-spei">Enviar orden SPEI</button></form>
        {{/actions.speiDisburse}}
        {{#actions.pay}}
        <form method="post" action="/creditos/{{loan.id}}/pagos" class="card"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}">
          <h2>Registrar pago</h2>
          <label for="monto-pago">Monto</label><input id="monto-pago" name="monto" inputmode="decimal" maxlength="20" required>
          <label for="fecha-pago">Fecha valor</label><input id="fecha-pago" name="fecha" type="date" value="{{today}}" max="{{today}}">
          <label for="canal-pago">Canal</label><select id="canal-pago" name="canal">{{#channels}}<option value="{{value}}">{{label}}</option>{{/channels}}</select>
          <label for="referencia-pago">Referencia del banco o pasarela</label><input id="referencia-pago" name="referencia" maxlength="64">
          <label for="excedente">Si sobra dinero</label><select id="excedente" name="excedente">{{#excesses}}<option value="{{value}}">{{label}}</option>{{/excesses}}</select>
          <button type="submit" id="registrar-pago">Registrar pago</button></form>
        {{/actions.pay}}
        {{#actions.cancel}}
        <form method="post" action="/creditos/{{loan.id}}/cancelar" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label for="motivo-cancelacion">Motivo de la cancelación</label><input id="motivo-cancelacion" name="motivo" maxlength="500" required>
          <button type="submit" id="cancelar-credito">Cancelar la solicitud</button></form>
        {{/actions.cancel}}
        {{#actions.restructure}}
        <form method="post" action="/creditos/{{loan.id}}/reestructurar" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label for="plazo-reestructura">Nuevo plazo (pagos)</label><input id="plazo-reestructura" name="plazo" inputmode="numeric" maxlength="4" required>
          <label for="producto-reestructura">Producto (vacío: el mismo, versión vigente)</label><input id="producto-reestructura" name="producto" maxlength="32">
          <label for="motivo-reestructura">Motivo</label><input id="motivo-reestructura" name="motivo" maxlength="500" required>
          <button type="submit" id="reestructurar">Reestructurar el saldo</button></form>
        {{/actions.restructure}}
        {{#actions.writeOff}}
        <form method="post" action="/creditos/{{loan.id}}/castigar" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
          <label for="motivo-castigo">Motivo del castigo</label><input id="motivo-castigo" name="motivo" maxlength="500" required>
          <button type="submit" id="castigar">Castigar el saldo</button></form>
        {{/actions.writeOff}}
        </section>
        {{#hasPayments}}
        <h2>Pagos</h2>
        <table id="pagos">
          <thead><tr><th>Movimiento</th><th>Fecha valor</th><th>Monto</th><th>Canal</th><th>Aplicación</th><th>Registró</th><th></th></tr></thead>
          <tbody>{{#payments}}<tr><td>{{kind}} <code>{{id}}</code>{{#reference}}<br>ref. {{reference}}{{/reference}}</td><td>{{date}}</td><td>{{amount}}</td><td>{{channel}}</td><td>{{allocation}}{{#excess}}<br><small>{{excess}}</small>{{/excess}}</td><td>{{recordedBy}}</td>
            <td>{{reversal}}{{#canReverse}}<form method="post" action="/creditos/{{loan.id}}/pagos/{{id}}/cancelar" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input name="motivo" maxlength="500" placeholder="Motivo" required aria-label="Motivo de la cancelación del pago"><button type="submit" class="secondary">Cancelar pago</button></form>{{/canReverse}}</td></tr>{{/payments}}</tbody>
        </table>
        {{/hasPayments}}
        {{#hasJournal}}
        <h2>Asientos contables</h2>
        <table id="asientos">
          <thead><tr><th>Asiento</th><th>Fecha</th><th>Cuenta</th><th>Cargo</th><th>Abono</th></tr></thead>
          <tbody>{{#journal}}<tr class="entry"><td colspan="5"><code>{{id}}</code> {{date}} — {{description}}</td></tr>{{#lines}}<tr><td></td><td></td><td>{{account}} {{name}}</td><td>{{debit}}</td><td>{{credit}}</td></tr>{{/lines}}{{/journal}}</tbody>
        </table>
        {{/hasJournal}}
        <p><a href="/creditos">Volver a créditos</a></p>
        {{/body}}{{/layout}}
        """

    static let statement = """
        <!doctype html>
        <html lang="es-MX">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Estado de cuenta {{loanId}} · Cartera</title><link rel="stylesheet" href="/static/cartera.css"></head>
        <body class="statement">
        <p class="no-print"><a href="{{back}}">Volver</a> · Imprima esta página o guárdela como PDF desde su navegador.</p>
        <header><h1>Estado de cuenta</h1><p><strong>{{lender}}</strong></p></header>
        <dl class="facts">
          <dt>Acreditado</dt><dd id="acreditado">{{client}}</dd>
          <dt>Crédito</dt><dd>{{loanId}} — {{product}}</dd>
          <dt>Periodo</dt><dd id="periodo">del {{from}} al {{to}}</dd>
          <dt>Tasa anual ordinaria</dt><dd>{{annualRate}}% fija, sin IVA</dd>
          <dt>Tasa anual moratoria</dt><dd>{{moratoriumAnnualRate}}% sobre capital vencido, sin IVA</dd>
        </dl>
        <table class="summary">
          <tr><th>Saldo inicial</th><td id="saldo-inicial">{{openingBalance}}</td></tr>
          <tr><th>Intereses ordinarios</th><td>{{interestCharged}}</td></tr>
          <tr><th>Intereses moratorios</th><td>{{moratoriumCharged}}</td></tr>
          <tr><th>Comisiones</th><td>{{feesCharged}}</td></tr>
          <tr><th>IVA</th><td>{{ivaCharged}}</td></tr>
          <tr><th>Pagos</th><td>{{paymentsTotal}}</td></tr>
          <tr><th>Saldo final</th><td id="saldo-final">{{closingBalance}}</td></tr>
          <tr><th>Capital insoluto</th><td>{{principalOutstanding}}</td></tr>
          <tr><th>Exigible al cierre</th><td>{{amountDue}}</td></tr>
          <tr><th>Días de atraso</th><td>{{daysPastDue}}</td></tr>
          <tr><th>Próximo pago</th><td>{{#nextDueDate}}{{nextDueDate}}: ${{nextPayment}}{{/nextDueDate}}{{^nextDueDate}}—{{/nextDueDate}}</td></tr>
          {{#speiClabe}}<tr><th>Pague por SPEI a la CLABE</th><td id="clabe-spei"><strong>{{speiClabe}}</strong> (la de este crédito: su pago se aplica solo)</td></tr>{{/speiClabe}}
        </table>
        <h2>Movimientos</h2>
        <table id="movimientos">
          <thead><tr><th>Fecha</th><th>Concepto</th><th>Cargo</th><th>Abono</th><th>Saldo</th></tr></thead>
          <tbody>{{#movements}}<tr><td>{{date}}</td><td>{{description}}{{#allocation}}<br><small>Aplicado a: {{allocation}}</small>{{/allocation}}</td><td>{{charge}}</td><td>{{credit}}</td><td>{{balance}}</td></tr>{{/movements}}
          {{^movements}}<tr><td colspan="5">Sin movimientos en el periodo.</td></tr>{{/movements}}</tbody>
        </table>
        {{#catLegend}}<p class="cat" id="leyenda-cat"><strong>{{catLegend}}</strong></p>{{/catLegend}}
        <p class="hint">Los pagos se aplican en el orden pactado en el contrato: comisiones, intereses moratorios, intereses vencidos, capital vencido, intereses y capital del periodo, y el excedente como pago adelantado o anticipado según su instrucción.</p>
        </body></html>
        """

    static let portal = """
        {{<layout}}{{$body}}
        <p>Bienvenido, {{displayName}}.</p>
        {{>portal_notices}}
        <table id="mis-creditos">
          <thead><tr><th>Crédito</th><th>Producto</th><th>Monto</th><th>Estado</th><th>Saldo</th><th>Exigible</th><th>Próximo pago</th><th>Días de atraso</th></tr></thead>
          <tbody>{{#loans}}<tr><td>{{#disbursed}}<a href="/portal/creditos/{{id}}">{{id}}</a>{{/disbursed}}{{^disbursed}}{{id}}{{/disbursed}}</td><td>{{product}}</td><td>{{amount}}</td><td>{{status}}</td><td>{{balance}}</td><td>{{due}}</td><td>{{next}}</td><td>{{daysPastDue}}</td></tr>{{/loans}}
          {{^loans}}<tr><td colspan="8">Aún no tiene créditos registrados con nosotros.</td></tr>{{/loans}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let portalLoan = """
        {{<layout}}{{$body}}
        {{>loan_schedule}}
        <p><a href="/portal/creditos/{{loan.id}}/estado-de-cuenta" id="estado-de-cuenta">Estado de cuenta del mes</a></p>
        {{#speiClabe}}<p class="card" id="clabe-spei">Para pagar por transferencia SPEI desde cualquier banco, use la CLABE de este crédito:
        <strong>{{speiClabe}}</strong>. El pago se aplica a su crédito en cuanto llega, sin referencia que escribir.</p>{{/speiClabe}}
        <h2>Mis pagos</h2>
        <table id="mis-pagos"><thead><tr><th>Fecha</th><th>Monto</th><th>Canal</th></tr></thead>
        <tbody>{{#payments}}<tr><td>{{date}}</td><td>{{amount}}</td><td>{{channel}}</td></tr>{{/payments}}{{^payments}}<tr><td colspan="3">Aún no hay pagos.</td></tr>{{/payments}}</tbody></table>
        {{>portal_pay}}
        {{>portal_mandate}}
        <p><a href="/portal">Volver a mis créditos</a></p>
        {{/body}}{{/layout}}
        """
}
