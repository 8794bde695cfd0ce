/// Lending pages: the product catalogue and the cotizador.
enum LendingTemplates {
    static let products = """
        {{<layout}}{{$body}}
        <table id="productos">
          <thead><tr><th>Clave</th><th>Producto</th><th>Versión</th><th>Tasa anual</th><th>Base</th><th>Frecuencia</th><th>Método</th><th>Montos</th><th>Plazos</th><th>Comisión</th><th>IVA</th></tr></thead>
          <tbody>
          {{#products}}<tr><td><code>{{code}}</code></td><td>{{name}}</td><td>{{version}}</td><td>{{rate}}%</td><td>{{dayCount}}</td><td>{{frequency}}</td><td>{{method}}</td><td>{{amounts}}</td><td>{{terms}}</td><td>{{fee}}</td><td>{{iva}}%</td></tr>{{/products}}
          {{^products}}<tr><td colspan="11">Aún no hay productos. Se registran por la API (POST /api/v1/products).</td></tr>{{/products}}
          </tbody>
        </table>
        <p><a href="/cotizador">Cotizar un crédito</a>{{#canManage}} · <a href="/productos/nuevo" id="nuevo-producto">Nuevo producto o nueva versión</a>{{/canManage}}</p>
        {{/body}}{{/layout}}
        """

    static let newProduct = """
        {{<layout}}{{$body}}
        {{#hasIssues}}<ul class="error" id="errores">{{#issues}}<li>{{message}}</li>{{/issues}}</ul>{{/hasIssues}}
        <p class="hint">Guardar con una clave existente crea su siguiente versión; las versiones anteriores no cambian.</p>
        <form method="post" action="/productos" class="card wide" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="code">Clave</label><input id="code" name="code" value="{{form.code}}" maxlength="32" required>
          <label for="name">Nombre</label><input id="name" name="name" value="{{form.name}}" maxlength="120" required>
          <label for="annualRate">Tasa anual simple (%)</label><input id="annualRate" name="annualRate" value="{{form.annualRate}}" inputmode="decimal" required>
          <label for="dayCount">Base de días</label><select id="dayCount" name="dayCount">{{#dayCounts}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/dayCounts}}</select>
          <label for="frequency">Frecuencia</label><select id="frequency" name="frequency">{{#frequencies}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/frequencies}}</select>
          <label for="method">Método</label><select id="method" name="method">{{#methods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/methods}}</select>
          <label for="minimumAmount">Monto mínimo</label><input id="minimumAmount" name="minimumAmount" value="{{form.minimumAmount}}" inputmode="decimal" required>
          <label for="maximumAmount">Monto máximo</label><input id="maximumAmount" name="maximumAmount" value="{{form.maximumAmount}}" inputmode="decimal" required>
          <label for="minimumTerm">Plazo mínimo (pagos)</label><input id="minimumTerm" name="minimumTerm" value="{{form.minimumTerm}}" inputmode="numeric" required>
          <label for="maximumTerm">Plazo máximo (pagos)</label><input id="maximumTerm" name="maximumTerm" value="{{form.maximumTerm}}" inputmode="numeric" required>
          <label for="openingFeePercent">Comisión por apertura (% del monto, sin IVA)</label><input id="openingFeePercent" name="openingFeePercent" value="{{form.openingFeePercent}}" inputmode="decimal">
          <label for="openingFeeTreatment">La comisión se</label><select id="openingFeeTreatment" name="openingFeeTreatment"><option value="deducted">descuenta del monto entregado</option><option value="financed"{{#financed}} selected{{/financed}}>financia con el crédito</option></select>
          <label for="iva">IVA sobre intereses (%)</label><input id="iva" name="iva" value="{{form.iva}}" inputmode="decimal">
          <label for="moratoriumMultiple">Tasa moratoria (veces la ordinaria)</label><input id="moratoriumMultiple" name="moratoriumMultiple" value="{{form.moratoriumMultiple}}" inputmode="decimal">
          <label for="rateConvention">Tasa del periodo</label><select id="rateConvention" name="rateConvention">{{#rateConventions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/rateConventions}}</select>
          <label for="catTimeBasis">Tiempo en el CAT</label><select id="catTimeBasis" name="catTimeBasis">{{#catBases}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/catBases}}</select>
          <button type="submit" id="guardar-producto">Guardar producto</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let quote = """
        {{<layout}}{{$body}}
        <form method="get" action="/cotizador" class="filters">
          <label>Producto <select name="producto" id="producto">{{#products}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{name}} (v{{version}})</option>{{/products}}</select></label>
          <label>Monto <input name="monto" id="monto" value="{{form.monto}}" inputmode="decimal" maxlength="20" required></label>
          <label>Plazo (pagos) <input name="plazo" id="plazo" value="{{form.plazo}}" inputmode="numeric" maxlength="4" required></label>
          <label>Inicio <input name="inicio" type="date" value="{{form.inicio}}"></label>
          <button type="submit" id="cotizar">Cotizar</button>
        </form>
        {{#quote}}
        <section class="tiles">
          <div class="tile"><strong id="pago">{{payment}}</strong><span>pago {{frequency}}</span></div>
          <div class="tile"><strong id="cat">CAT {{cat}}%</strong><span>sin IVA. Para fines informativos y de comparación</span></div>
          <div class="tile"><strong>{{totalPaid}}</strong><span>total a pagar (intereses {{totalInterest}}, IVA {{totalIva}})</span></div>
        </section>
        <table id="tabla">
          <thead><tr><th>#</th><th>Vence</th><th>Pago</th><th>Interés</th><th>IVA</th><th>Capital</th><th>Saldo</th></tr></thead>
          <tbody>{{#rows}}<tr><td>{{number}}</td><td>{{dueDate}}</td><td>{{payment}}</td><td>{{interest}}</td><td>{{iva}}</td><td>{{principal}}</td><td>{{balance}}</td></tr>{{/rows}}</tbody>
        </table>
        {{/quote}}
        {{/body}}{{/layout}}
        """
}
